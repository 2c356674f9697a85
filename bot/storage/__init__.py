"""Where everything is kept: the typed models, engines and the migration gate, the
directory of installs, teams and members, and organisations."""
