"""The picker's screens: login, session chooser, main, action menu."""
