"""Identity Center client side: sessions, login, token cache, portal, catalog. No Textual."""
