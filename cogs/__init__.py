"""Thin Discord extensions: parse input, call the domain in `bot/`, render the answer."""
