"""The console conversation loop: lines in, replies out.

Meta-commands (``:as NAME``, ``:in TEAM``, ``:quit``) let one terminal act as any member in
any team, like errbot's text backend. Everything else goes to the core as chat text.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TextIO

from adapters.console.render import render
from bot import chat
from bot.bootstrap import Services
from bot.chat.origin import Origin
from bot.messages import Button, Form, FormErrors, Notify, OpenForm, Outcome, Say, UpdateOrigin

WORKSPACE = "console"
DEMO_USER = "demo"
MAX_FORM_TRIES = 3


class ConsoleChat:
    def __init__(
        self,
        services: Services,
        stdin: TextIO,
        stdout: TextIO,
        *,
        user: str = DEMO_USER,
        team: str = "demo",
        echo: bool | None = None,
    ) -> None:
        self.services = services
        self.stdin = stdin
        self.stdout = stdout
        self.user = user
        self.team = team
        # Piped input is not shown by a terminal; echo it so a transcript reads like a chat.
        self.echo = (not stdin.isatty()) if echo is None else echo
        self.t = services.catalog.translator(services.settings.waarom_language)

    # --- i/o ---

    def write(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    async def read(self, prompt: str) -> str | None:
        self.stdout.write(prompt)
        self.stdout.flush()
        line = await asyncio.to_thread(self.stdin.readline)
        if not line:
            self.write()
            return None
        line = line.rstrip("\r\n")
        if self.echo:
            self.write(line)
        return line

    def origin(self) -> Origin:
        # The demo user leads the demo team, as DESIGN.md says; other names are members.
        return Origin(
            platform="console",
            workspace_id=WORKSPACE,
            workspace_name="Console",
            conversation_id=self.team,
            conversation_name=self.team,
            user_id=self.user,
            user_name=self.user,
            user_is_admin=self.user == DEMO_USER,
            # The operator's own terminal reads the operator's own feedback.
            home=True,
        )

    # --- loop ---

    async def run(self) -> None:
        self.write(self.t("console.banner"))
        while True:
            line = await self.read(f"\n{self.user}@{self.team}> ")
            if line is None:
                return
            line = line.strip()
            if not line:
                continue
            if line in {":quit", ":q", "quit", "exit"}:
                return
            if line.startswith(":as "):
                self.user = line[4:].strip() or DEMO_USER
                self.write(self.t("console.now_as", name=self.user))
                continue
            if line.startswith(":in "):
                self.team = line[4:].strip() or "demo"
                self.write(self.t("console.now_in", team=self.team))
                continue
            await self.handle(await chat.handle_text(self.services, self.origin(), line))

    async def handle(self, outcomes: list[Outcome]) -> None:
        # The console's own words in the team's language, which a command may just have
        # changed (``settings language en``).
        language = await chat.language_of(self.services, self.origin())
        if language is not None and language != self.t.language:
            self.t = self.services.catalog.translator(language)
        buttons: list[Button] = []
        for outcome in outcomes:
            match outcome:
                case Say(message, private):
                    text, found = render(message)
                    self.write(text + (f"\n{self.t('console.private')}" if private else ""))
                    buttons.extend(found)
                case UpdateOrigin(message):
                    text, found = render(message)
                    self.write(text)
                    buttons.extend(found)
                case Notify(target, message):
                    # A console member's id is the name typed after ``:as``.
                    name = target.user_id
                    self.write(self.t("console.to_member", name=name) + "\n" + render(message)[0])
                case OpenForm(form):
                    await self.fill(form)
                case FormErrors(errors):
                    self.write_errors(errors)
        if buttons:
            await self.choose(buttons)

    def write_errors(
        self, errors: Mapping[str, str], labels: Mapping[str, str] | None = None
    ) -> None:
        """A form's problems, each after its field's label (or its name, without the form)."""
        self.write(self.t("console.errors"))
        for name, problem in errors.items():
            self.write(f"  {(labels or {}).get(name, name)}: {problem}")

    async def choose(self, buttons: list[Button]) -> None:
        answer = await self.read(f"{self.t('console.choose')} [1-{len(buttons)}]: ")
        if answer is None or not answer.strip():
            return
        if not answer.strip().isdigit() or not 1 <= int(answer) <= len(buttons):
            # Not a choice: treat it as the next command, as a chat would.
            await self.handle(await chat.handle_text(self.services, self.origin(), answer))
            return
        button = buttons[int(answer) - 1]
        await self.handle(
            await chat.handle_action(self.services, self.origin(), button.action, button.value)
        )

    async def fill(self, form: Form) -> None:
        self.write(f"\n{form.title}" + (f"\n{form.intro}" if form.intro else ""))
        values = {field.name: field.initial for field in form.fields}
        pending = [field.name for field in form.fields]
        for _ in range(MAX_FORM_TRIES):
            for field in form.fields:
                if field.name not in pending:
                    continue
                hint = f" ({field.hint})" if field.hint else ""
                if field.options:
                    hint = " (" + "/".join(option.value for option in field.options) + ")"
                current = f" [{values[field.name]}]" if values[field.name] else ""
                answer = await self.read(f"{field.label}{hint}{current}: ")
                if answer is None:
                    self.write(self.t("console.cancelled"))
                    return
                if answer.strip():
                    values[field.name] = answer
            outcomes = await chat.handle_form(
                self.services, self.origin(), form.form_id, form.context, values
            )
            errors = next((o for o in outcomes if isinstance(o, FormErrors)), None)
            if errors is None:
                await self.handle(outcomes)
                return
            self.write_errors(errors.errors, {field.name: field.label for field in form.fields})
            pending = list(errors.errors)
            for name in pending:
                values[name] = ""
        self.write(self.t("console.cancelled"))
