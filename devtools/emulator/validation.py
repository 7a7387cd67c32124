"""Discord's limits, enforced the way Discord does: a 400 with
`{"code": 50035, "message": "Invalid Form Body", "errors": {...}}` naming every bad field.

Limits: https://discord.com/developers/docs/resources/message,
.../interactions/application-commands, .../components/reference, .../resources/channel.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

Payload = dict[str, Any]
Path = tuple[str | int, ...]

CONTENT = 2000
EMBEDS = 10
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
EMBED_FIELD_NAME = 256
EMBED_FIELD_VALUE = 1024
EMBED_FOOTER = 2048
EMBED_AUTHOR = 256
EMBED_TOTAL = 6000
THREAD_NAME = 100
ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)
ROWS = 5
BUTTONS_PER_ROW = 5
BUTTON_LABEL = 80
CUSTOM_ID = 100
SELECT_OPTIONS = 25
CHOICES = 25
CHOICE_NAME = 100
CHOICE_VALUE = 100
COMMAND_NAME = 32
COMMAND_DESCRIPTION = 100
COMMAND_OPTIONS = 25
FILES_PER_MESSAGE = 10
FILE_SIZE = 10 * 1024 * 1024
MODAL_TITLE = 45
COMPONENTS_V2 = 1 << 15  # message flag IS_COMPONENTS_V2


class DiscordError(Exception):
    """An HTTP error in Discord's JSON shape."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        errors: Payload | None = None,
        headers: dict[str, str] | None = None,
        extra: Payload | None = None,
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> Payload:
        body: Payload = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


def not_found(what: str, code: int) -> DiscordError:
    return DiscordError(404, code, f"Unknown {what}")


def missing_permissions() -> DiscordError:
    return DiscordError(403, 50013, "Missing Permissions")


def missing_access() -> DiscordError:
    return DiscordError(403, 50001, "Missing Access")


class FormErrors:
    """Collects field errors at nested paths, then raises one 50035 error."""

    def __init__(self) -> None:
        self.tree: Payload = {}

    def add(self, path: Path, code: str, message: str) -> None:
        node = self.tree
        for key in path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def max_length(self, path: Path, value: str | None, limit: int) -> None:
        if value is not None and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def length_between(self, path: Path, value: str | None, low: int, high: int) -> None:
        if value is None or not low <= len(value) <= high:
            self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")

    def max_items(self, path: Path, items: Iterable[Any] | None, limit: int) -> None:
        if items is not None and len(list(items)) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def raise_if_any(self) -> None:
        if self.tree:
            raise DiscordError(400, 50035, "Invalid Form Body", self.tree)


# ---- messages ---------------------------------------------------------------------------


def embed_size(embed: Payload) -> int:
    """Characters counted toward the 6000 total: title, description, fields, footer, author."""
    size = len(embed.get("title") or "") + len(embed.get("description") or "")
    for item in embed.get("fields") or []:
        size += len(item.get("name") or "") + len(item.get("value") or "")
    size += len((embed.get("footer") or {}).get("text") or "")
    size += len((embed.get("author") or {}).get("name") or "")
    return size


def check_embeds(
    errors: FormErrors, embeds: list[Payload] | None, path: Path = ("embeds",)
) -> None:
    if not embeds:
        return
    errors.max_items(path, embeds, EMBEDS)
    total = 0
    for index, embed in enumerate(embeds):
        at = (*path, index)
        errors.max_length((*at, "title"), embed.get("title"), EMBED_TITLE)
        errors.max_length((*at, "description"), embed.get("description"), EMBED_DESCRIPTION)
        fields = embed.get("fields") or []
        errors.max_items((*at, "fields"), fields, EMBED_FIELDS)
        for number, item in enumerate(fields):
            name, value = item.get("name"), item.get("value")
            if not name:
                errors.add(
                    (*at, "fields", number, "name"), "BASE_TYPE_REQUIRED", "This field is required"
                )
            if not value:
                errors.add(
                    (*at, "fields", number, "value"), "BASE_TYPE_REQUIRED", "This field is required"
                )
            errors.max_length((*at, "fields", number, "name"), name, EMBED_FIELD_NAME)
            errors.max_length((*at, "fields", number, "value"), value, EMBED_FIELD_VALUE)
        footer = embed.get("footer")
        if footer is not None:
            errors.max_length((*at, "footer", "text"), footer.get("text"), EMBED_FOOTER)
        author = embed.get("author")
        if author is not None:
            errors.max_length((*at, "author", "name"), author.get("name"), EMBED_AUTHOR)
        total += embed_size(embed)
    if total > EMBED_TOTAL:
        errors.add(path, "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")


def _walk_components(components: list[Payload]) -> Iterable[Payload]:
    for component in components:
        yield component
        yield from _walk_components(component.get("components") or [])
        if isinstance(component.get("component"), dict):
            yield component["component"]
        if isinstance(component.get("accessory"), dict):
            yield component["accessory"]


def check_components(
    errors: FormErrors,
    components: list[Payload] | None,
    path: Path = ("components",),
    *,
    layout: bool = False,
) -> None:
    """Legacy messages: ≤ 5 action rows at the top level. Components V2 (`layout`):
    any top-level layout components, ≤ 40 components in all."""
    if not components:
        return
    if layout:
        errors.max_items(path, list(_walk_components(components)), 40)
    else:
        errors.max_items(path, components, ROWS)
        for index, component in enumerate(components):
            if component.get("type") != 1:
                errors.add(
                    (*path, index, "type"),
                    "UNION_TYPE_CHOICES",
                    'Value of field "type" must be one of (1,).',
                )
    for index, row in enumerate(components):
        if row.get("type") != 1:
            continue
        children = row.get("components") or []
        buttons = [c for c in children if c.get("type") == 2]
        if not children:
            errors.add(
                (*path, index, "components"),
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 5 in length.",
            )
        errors.max_items((*path, index, "components"), buttons, BUTTONS_PER_ROW)
        if len(children) > 1 and any(c.get("type") in (3, 5, 6, 7, 8) for c in children):
            errors.add(
                (*path, index, "components"),
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "The specified component exceeds the maximum width",
            )
    seen: set[str] = set()
    for component in _walk_components(components):
        kind = component.get("type")
        custom_id = component.get("custom_id")
        if kind == 2:
            errors.max_length((*path, "label"), component.get("label"), BUTTON_LABEL)
            if component.get("style") == 5:
                if not component.get("url"):
                    errors.add((*path, "url"), "BASE_TYPE_REQUIRED", "This field is required")
            elif component.get("style") != 6 and not custom_id:
                errors.add((*path, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
        if kind in (3, 5, 6, 7, 8):
            errors.max_items((*path, "options"), component.get("options"), SELECT_OPTIONS)
            errors.max_length((*path, "placeholder"), component.get("placeholder"), 150)
            for option in component.get("options") or []:
                errors.length_between((*path, "options", "label"), option.get("label"), 1, 100)
                errors.length_between((*path, "options", "value"), option.get("value"), 1, 100)
                errors.max_length((*path, "options", "description"), option.get("description"), 100)
        if custom_id is not None:
            errors.length_between((*path, "custom_id"), str(custom_id), 1, CUSTOM_ID)
            if custom_id in seen:
                errors.add(
                    (*path, "custom_id"),
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                    "Component custom id cannot be duplicated",
                )
            seen.add(custom_id)


def check_message(payload: Payload, *, file_count: int = 0, editing: bool = False) -> None:
    """Validate a message create/edit body (also interaction responses and webhooks)."""
    errors = FormErrors()
    content = payload.get("content")
    if content is not None and not isinstance(content, str):
        content = str(content)
    errors.max_length(("content",), content, CONTENT)
    check_embeds(errors, payload.get("embeds"))
    layout = bool(int(payload.get("flags") or 0) & COMPONENTS_V2)
    check_components(errors, payload.get("components"), layout=layout)
    if layout and (content or payload.get("embeds")):
        errors.add(
            ("content",),
            "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
            "The 'content' and 'embeds' fields cannot be used when using MessageFlags.IS_COMPONENTS_V2",
        )
    if file_count > FILES_PER_MESSAGE:
        errors.add(("files",), "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    nonce = payload.get("nonce")
    if nonce is not None and isinstance(nonce, str) and len(nonce) > 25:
        errors.add(("nonce",), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    errors.raise_if_any()
    if editing:
        return
    has_something = (
        bool(content)
        or bool(payload.get("embeds"))
        or bool(payload.get("components"))
        or bool(payload.get("sticker_ids"))
        or bool(payload.get("poll"))
        or file_count > 0
    )
    if not has_something:
        raise DiscordError(400, 50006, "Cannot send an empty message")


def check_edit_result(message: Payload) -> None:
    """An edit may not leave a message empty."""
    if not (
        message.get("content")
        or message.get("embeds")
        or message.get("components")
        or message.get("attachments")
        or message.get("sticker_items")
    ):
        raise DiscordError(400, 50006, "Cannot send an empty message")


# ---- threads ----------------------------------------------------------------------------


def check_thread_fields(payload: Payload, *, creating: bool) -> None:
    errors = FormErrors()
    if creating or "name" in payload:
        errors.length_between(("name",), payload.get("name"), 1, THREAD_NAME)
    duration = payload.get("auto_archive_duration")
    if duration is not None and duration not in ARCHIVE_DURATIONS:
        errors.add(
            ("auto_archive_duration",),
            "BASE_TYPE_CHOICES",
            "Value must be one of {60, 1440, 4320, 10080}.",
        )
    errors.raise_if_any()


# ---- application commands ---------------------------------------------------------------


def valid_command_name(name: object) -> bool:
    """`^[-_\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$`, lowercase where a lowercase exists."""
    if not isinstance(name, str) or not 1 <= len(name) <= COMMAND_NAME:
        return False
    for char in name:
        category = unicodedata.category(char)
        if char not in "-_" and category[0] not in "LN" and category not in ("Mn", "Mc"):
            return False
        if char.lower() != char:
            return False
    return True


# Discord's client locales (https://discord.com/developers/docs/reference#locales).
LOCALES = frozenset(
    [
        "id",
        "da",
        "de",
        "en-GB",
        "en-US",
        "es-ES",
        "es-419",
        "fr",
        "hr",
        "it",
        "lt",
        "hu",
        "nl",
        "no",
        "pl",
        "pt-BR",
        "ro",
        "fi",
        "sv-SE",
        "vi",
        "tr",
        "cs",
        "el",
        "bg",
        "ru",
        "uk",
        "hi",
        "th",
        "zh-CN",
        "ja",
        "zh-TW",
        "ko",
    ]
)


def check_localizations(
    errors: FormErrors, item: Payload, path: Path, *, name_rule: str, with_description: bool
) -> None:
    """`name_localizations` / `description_localizations`: known locales only, each value
    valid as the field itself (a command/option name: lower-case, 1–32; a choice name: 1–100;
    a description: 1–100)."""
    fields = [("name_localizations", name_rule)]
    if with_description:
        fields.append(("description_localizations", "description"))
    for field, rule in fields:
        values = item.get(field)
        if values is None:
            continue
        if not isinstance(values, dict):
            errors.add((*path, field), "DICT_TYPE_CONVERT", "Only dictionaries may be used")
            continue
        for locale, text in values.items():
            where = (*path, field, locale)
            if locale not in LOCALES:
                errors.add(where, "LOCALE_INVALID", f"Invalid locale: {locale}")
            elif rule == "command" and not valid_command_name(text):
                errors.add(where, "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
            elif rule == "choice":
                errors.length_between(where, text, 1, CHOICE_NAME)
            elif rule == "description":
                errors.length_between(where, text, 1, COMMAND_DESCRIPTION)


def _longest(item: Payload, field: str) -> int:
    """Discord counts the longest of a field and its localisations toward the size limit."""
    texts = [item.get(field) or "", *((item.get(f"{field}_localizations") or {}).values())]
    return max(len(str(t)) for t in texts)


def _check_option(errors: FormErrors, option: Payload, path: Path) -> None:
    if not valid_command_name(option.get("name")):
        errors.add((*path, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
    errors.length_between((*path, "description"), option.get("description"), 1, COMMAND_DESCRIPTION)
    check_localizations(errors, option, path, name_rule="command", with_description=True)
    kind = option.get("type")
    choices = option.get("choices")
    if choices:
        errors.max_items((*path, "choices"), choices, CHOICES)
        if option.get("autocomplete"):
            errors.add(
                (*path, "autocomplete"),
                "APPLICATION_COMMAND_OPTIONS_AUTOCOMPLETE_WITH_CHOICES",
                "Autocomplete cannot be enabled with choices",
            )
        for index, choice in enumerate(choices):
            errors.length_between(
                (*path, "choices", index, "name"), choice.get("name"), 1, CHOICE_NAME
            )
            check_localizations(
                errors,
                choice,
                (*path, "choices", index),
                name_rule="choice",
                with_description=False,
            )
            value = choice.get("value")
            if isinstance(value, str):
                errors.length_between((*path, "choices", index, "value"), value, 1, CHOICE_VALUE)
    for key in ("min_length", "max_length"):
        value = option.get(key)
        if value is not None and not 0 <= value <= 6000:
            errors.add((*path, key), "NUMBER_TYPE_MAX", "int value should be between 0 and 6000.")
    children = option.get("options") or []
    if kind in (1, 2):
        _check_options(errors, children, (*path, "options"), group=kind == 2, subcommand=kind == 1)
    elif children:
        errors.add((*path, "options"), "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Invalid options")


def _check_options(
    errors: FormErrors, options: list[Payload], path: Path, *, group: bool, subcommand: bool
) -> None:
    errors.max_items(path, options, COMMAND_OPTIONS)
    names: set[str] = set()
    localised: set[tuple[str, str]] = set()
    seen_optional = False
    kinds = {o.get("type") for o in options}
    if kinds & {1, 2} and kinds - {1, 2}:
        errors.add(
            path,
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
            "Sub-commands cannot be mixed with options",
        )
    for index, option in enumerate(options):
        kind = option.get("type")
        if group and kind != 1:
            errors.add(
                (*path, index, "type"),
                "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                "A group may only contain sub-commands",
            )
        if subcommand and kind in (1, 2):
            errors.add(
                (*path, index, "type"),
                "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                "Sub-commands cannot be nested here",
            )
        name = option.get("name")
        if name in names:
            errors.add(
                (*path, index, "name"),
                "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                "Option name already exists",
            )
        names.add(str(name))
        for locale, local in (option.get("name_localizations") or {}).items():
            if (locale, local) in localised:  # two options with one French name
                errors.add(
                    (*path, index, "name_localizations", locale),
                    "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                    "Option name already exists",
                )
            localised.add((locale, local))
        if kind not in (1, 2):
            if option.get("required"):
                if seen_optional:
                    errors.add(
                        (*path, index, "required"),
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    )
            else:
                seen_optional = True
        _check_option(errors, option, (*path, index))


def command_size(command: Payload) -> int:
    """Characters counted toward Discord's 4000 per command (names, descriptions, choices)."""

    def walk(option: Payload) -> int:
        size = _longest(option, "name") + _longest(option, "description")
        for choice in option.get("choices") or []:
            size += _longest(choice, "name") + len(str(choice.get("value") or ""))
        return size + sum(walk(child) for child in option.get("options") or [])

    return walk(command)


def check_commands(commands: list[Payload]) -> None:
    """A bulk overwrite body: every command valid, names unique per type, counts in range."""
    errors = FormErrors()
    seen: set[tuple[str, int]] = set()
    counts = {1: 0, 2: 0, 3: 0}
    for index, command in enumerate(commands):
        kind = command.get("type", 1)
        counts[kind] = counts.get(kind, 0) + 1
        name = command.get("name")
        if kind == 1:
            if not valid_command_name(name):
                errors.add(
                    (index, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
                )
            errors.length_between(
                (index, "description"), command.get("description"), 1, COMMAND_DESCRIPTION
            )
            check_localizations(
                errors, command, (index,), name_rule="command", with_description=True
            )
            _check_options(
                errors,
                command.get("options") or [],
                (index, "options"),
                group=False,
                subcommand=False,
            )
            if command_size(command) > 4000:
                errors.add(
                    (index,), "APPLICATION_COMMAND_TOO_LARGE", "Command exceeds maximum size (4000)"
                )
        else:
            errors.length_between((index, "name"), name, 1, COMMAND_NAME)
            if command.get("description"):
                errors.add(
                    (index, "description"),
                    "BASE_TYPE_MAX_LENGTH",
                    "Context menu commands cannot have a description",
                )
        if (str(name), kind) in seen:
            errors.add(
                (index, "name"),
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                "Application command names must be unique",
            )
        seen.add((str(name), kind))
        permissions = command.get("default_member_permissions")
        if permissions is not None and not str(permissions).isdigit():
            errors.add(
                (index, "default_member_permissions"), "BASE_TYPE_INVALID", "Invalid permissions"
            )
    if counts[1] > 100 or counts[2] > 15 or counts[3] > 15:
        errors.add(
            (), "APPLICATION_COMMANDS_TOO_MANY", "Maximum number of application commands reached"
        )
    errors.raise_if_any()


# ---- interaction callbacks --------------------------------------------------------------


def check_autocomplete(data: Payload) -> None:
    errors = FormErrors()
    choices = data.get("choices")
    if choices is None:
        errors.add(("data", "choices"), "BASE_TYPE_REQUIRED", "This field is required")
    else:
        errors.max_items(("data", "choices"), choices, CHOICES)
        for index, choice in enumerate(choices):
            errors.length_between(
                ("data", "choices", index, "name"), choice.get("name"), 1, CHOICE_NAME
            )
            value = choice.get("value")
            if isinstance(value, str):
                errors.max_length(("data", "choices", index, "value"), value, CHOICE_VALUE)
    errors.raise_if_any()


def check_modal(data: Payload) -> None:
    errors = FormErrors()
    errors.length_between(("data", "title"), data.get("title"), 1, MODAL_TITLE)
    errors.length_between(("data", "custom_id"), data.get("custom_id"), 1, CUSTOM_ID)
    components = data.get("components") or []
    if not 1 <= len(components) <= 5:
        errors.add(
            ("data", "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length."
        )
    for component in _walk_components(components):
        if component.get("type") == 4:  # text input
            errors.max_length(("data", "components", "label"), component.get("label"), 45)
            errors.max_length(
                ("data", "components", "placeholder"), component.get("placeholder"), 100
            )
            errors.max_length(("data", "components", "value"), component.get("value"), 4000)
            for key in ("min_length", "max_length"):
                value = component.get(key)
                if value is not None and not 0 <= value <= 4000:
                    errors.add(
                        ("data", "components", key),
                        "NUMBER_TYPE_MAX",
                        "Must be between 0 and 4000.",
                    )
        if component.get("type") == 18:  # label
            errors.length_between(("data", "components", "label"), component.get("label"), 1, 45)
    errors.raise_if_any()
