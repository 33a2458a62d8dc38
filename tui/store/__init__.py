"""ssotui's own files: catalog cache, user config (read) and state (tomli-w). No Textual."""
