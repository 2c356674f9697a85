"""What the tests and benchmarks share, imported as ``tests.support.<module>``: loopback fakes
of the Slack Web API (``slack_fake``; ``slack_client`` sends to the app as Slack does;
``slack_process`` runs the fake on its own) and of the Bot Connector (``teams_connector``,
``teams_roster``, ``teams_keys``); servers, settings and checks for them (``slack_support``,
``teams_support``, ``webhook_sender``, ``rel_serve``, ``rel_world``); what the isolation,
hostile-input and roster tests share (``rel_isolation``, ``rel_hostile``, ``roster_support``);
a recording delivery for the clock (``clock_support``); stored data for the privacy tests
(``privacy_support``); and throwaway databases for the benchmarks (``bench``)."""
