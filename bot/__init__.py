"""Waarom: weekly customer quotes, a waarom and a zo, and the ideas that come of them.

This package is the platform-neutral core. It imports no chat SDK and no web framework;
the adapters in :mod:`adapters` translate between platforms and the core.
"""

__version__ = "0.1.0"
