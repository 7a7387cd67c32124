"""The bot's words in English, French and Arabic (gettext catalogues, read with Babel)."""

from bot.i18n.catalogue import ENGLISH, Language, Messages, messages

__all__ = ["ENGLISH", "Language", "Messages", "messages"]
