"""The app manifest and the code agree on what the app subscribes to and may do."""

from __future__ import annotations

from pathlib import Path

import yaml

from adapters.slack import app, inbound, render

MANIFEST = Path(app.__file__).parent / "manifest.yml"


def test_manifest_matches_the_code() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text("utf-8"))
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(app.BOT_SCOPES)
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == inbound.COMMAND
    assert command["url"].endswith(app.EVENTS_PATH)
    # Mentions reach the app as user ids (<@U…>), not as names anyone could type.
    assert command["should_escape"] is True
    [shortcut] = manifest["features"]["shortcuts"]
    assert shortcut["callback_id"] == inbound.FEEDBACK_SHORTCUT
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    settings = manifest["settings"]
    assert settings["interactivity"]["request_url"].endswith(app.EVENTS_PATH)
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "app_uninstalled",
        "channel_left",
        "group_left",
        "member_joined_channel",
        "tokens_revoked",
    }
    assert manifest["oauth_config"]["redirect_urls"][0].endswith(app.REDIRECT_PATH)
    assert render.FORM_CALLBACK  # modals need no manifest entry, only interactivity
