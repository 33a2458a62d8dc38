"""Handing credentials on: env formats, subshell, files, clipboard. No Textual."""
