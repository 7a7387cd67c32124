"""The replies of /language and /challenge language."""

from __future__ import annotations

from bot.i18n import Language, Messages


def render_language(
    tr: Messages, chosen: Language | None, server: Language, *, changed: bool
) -> str:
    """What /language says: the language now used with the member, and why."""
    if chosen is not None:
        head = tr._("I'll write to you in {language}.", language=chosen.label)
        if not changed:
            head = tr._("You chose {language}.", language=chosen.label)
        how = tr._("`/language Automatic` goes back to your Discord's language or the server's.")
    else:
        head = tr._(
            "I write to you in {language}: your Discord's language if I speak it, "
            "else the server's ({server}).",
            language=tr.language.label,
            server=server.label,
        )
        how = tr._("Choose another with `/language`: English, Français or العربية.")
    note = tr._("Posts in the channels stay in the server's language.")
    return f"{head}\n{how}\n{note}"


def render_server_language(tr: Messages, language: Language, *, default: bool) -> str:
    """What /challenge language says after a change (or when asked)."""
    if default:
        return tr._(
            "Public posts here use {language}, the bot's default (BOT_LANGUAGE).",
            language=language.label,
        )
    return tr._(
        "Public posts here (days, recaps, welcomes in a channel) now use {language}. "
        "Members can still choose their own language with `/language`.",
        language=language.label,
    )
