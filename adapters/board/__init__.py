"""The board: a web page where leads work the ideas and everyone sees what came of them.

Server-rendered (Jinja2) under ``/board`` in ``waarom serve``; it uses the core the way the
chat adapters do. Its :mod:`~adapters.board.platform` object is what the registry loads; the
pages and Jinja2 are loaded only when the board is mounted."""
