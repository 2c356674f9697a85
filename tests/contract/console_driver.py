"""The console driver: a terminal per member, each the real ``ConsoleChat`` loop reading
lines a case types and writing replies, in this process.

A terminal shows buttons and forms only right after the message that carries them, so what
a terminal cannot do at its prompt (a member pressing a button on someone else's screen, a
form submitted a second time) happens in a second terminal of that member, given the same
buttons or form: as if the message were on two screens at once.
"""

from __future__ import annotations

import asyncio
import io
import queue
from collections.abc import Callable, Coroutine
from typing import Any

from aiohttp import ClientSession

from adapters.console.session import ConsoleChat
from bot import bootstrap
from bot.bootstrap import Services
from bot.config import load_settings
from bot.messages import Button, Form
from tests.contract.driver import ANNA

TEAM = "contract"
WAIT = 30.0


class Keyboard(io.TextIOBase):
    """Standard input fed line by line; tells the driver when the terminal waits for one."""

    def __init__(self) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.loop = asyncio.get_running_loop()
        self.waiting = asyncio.Event()

    def isatty(self) -> bool:
        return False

    def readline(self, size: int | None = -1) -> str:  # called in a worker thread
        self.loop.call_soon_threadsafe(self.waiting.set)
        return self.lines.get()


class Terminal(ConsoleChat):
    """The console adapter, remembering the buttons and form it last showed."""

    def __init__(self, services: Services, member: str) -> None:
        self.keyboard = Keyboard()
        self.screen = io.StringIO()
        super().__init__(services, self.keyboard, self.screen, user=member, team=TEAM, echo=False)
        self.buttons: list[Button] = []
        self.form: Form | None = None
        self.choosing = False
        self.filling = False
        self.task: asyncio.Task[None] | None = None

    async def choose(self, buttons: list[Button]) -> None:
        self.buttons, self.choosing = buttons, True
        try:
            await super().choose(buttons)
        finally:
            self.choosing = False

    async def fill(self, form: Form) -> None:
        self.form, self.filling = form, True
        try:
            await super().fill(form)
        finally:
            self.filling = False

    def start(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        self.keyboard.waiting.clear()
        self.task = asyncio.create_task(work())

    async def type(self, *lines: str) -> str:
        """Type ``lines`` one at a time, each once the terminal waits for it; what it
        wrote meanwhile, up to the point where it waits again (or stops)."""
        start = self.screen.tell()
        await self.idle()
        for line in lines:
            self.keyboard.waiting.clear()
            self.keyboard.lines.put(line + "\n")
            await self.idle()
        return self.screen.getvalue()[start:]

    async def idle(self) -> None:
        assert self.task is not None
        waiting = asyncio.ensure_future(self.keyboard.waiting.wait())
        done, _ = await asyncio.wait(
            {waiting, self.task}, timeout=WAIT, return_when="FIRST_COMPLETED"
        )
        waiting.cancel()
        assert done, f"the console did not answer within {WAIT:.0f} s"
        if self.task.done():
            self.task.result()  # raises what went wrong in the adapter

    async def close(self) -> None:
        # End of input ends a choice or a form, and then the loop; each waits for its own.
        while self.task is not None and not self.task.done():
            self.keyboard.lines.put("")
            await asyncio.wait({self.task}, timeout=0.5)


class ConsoleDriver:
    platform = "console"

    def __init__(self, services: Services) -> None:
        self.services = services
        self.terminals: dict[str, Terminal] = {}
        self.spares: list[Terminal] = []

    @classmethod
    async def start(cls, database_url: str, http: ClientSession) -> ConsoleDriver:
        """The console needs no HTTP: ``http`` is taken only to start like the others."""
        settings = load_settings(database_url=database_url, waarom_language="en", _env_file=None)
        return cls(bootstrap.build(settings))

    def terminal(self, member: str) -> Terminal:
        if member not in self.terminals:
            term = Terminal(self.services, member)
            term.start(term.run)
            self.terminals[member] = term
        return self.terminals[member]

    async def say(self, text: str, *, member: str = ANNA) -> str:
        return await self.terminal(member).type(text)

    async def press(self, label: str, *, member: str = ANNA, on: str | None = None) -> str:
        shown = self.terminal(on or member)
        number = str(next(n for n, b in enumerate(shown.buttons, 1) if b.label == label))
        if shown.choosing and (on or member) == member:
            return await shown.type(number)
        spare = self.spare(member)
        spare.start(lambda: spare.choose(shown.buttons))
        return await spare.type(number)

    async def submit(self, values: dict[str, str], *, member: str = ANNA) -> str:
        term = self.terminal(member)
        form = term.form
        assert form is not None, f"no form was opened for {member}"
        lines = [values.get(field.name, "") for field in form.fields]
        if term.filling:
            return await term.type(*lines)
        spare = self.spare(member)
        spare.start(lambda: spare.fill(form))
        return await spare.type(*lines)

    def spare(self, member: str) -> Terminal:
        term = Terminal(self.services, member)
        self.spares.append(term)
        return term

    async def close(self) -> None:
        for term in [*self.spares, *self.terminals.values()]:
            await term.close()
        await self.services.close()
