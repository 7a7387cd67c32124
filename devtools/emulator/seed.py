"""The default world: the guild "ML & DL Morocco" with the channels, roles, members and
a little history that end-to-end tests rely on (described in tests/README.md)."""

from __future__ import annotations

from datetime import timedelta

from devtools.emulator.ids import (
    EVERYONE_DEFAULT,
    ChannelKind,
    Clock,
    MessageFlag,
    MessageKind,
    Perm,
    utcnow,
)
from devtools.emulator.state import Payload, World


def build_default_world(clock: Clock = utcnow) -> World:
    """The guild "ML & DL Morocco" with the channels, roles and members tests rely on."""
    world = World(clock)
    world.guild_id = world.ids.next(world.now() - timedelta(days=400))
    channels = populate_guild(world, world.guild_id, "ML & DL Morocco")
    _seed_history(
        world,
        general=channels["general"],
        challenges=channels["challenges"],
        forum=channels["challenges-forum"],
    )
    return world


def _user(world: World, name: str) -> Payload:
    """The user called `name` (one person may be in several guilds), created if new."""
    for user in world.users.values():
        if user["username"] == name:
            return user
    return world.add_user(name)


def populate_guild(world: World, guild_id: str, name: str) -> dict[str, Payload]:
    """Give a guild the default channels, roles and members (no history); returns the
    channels by name. Users already known (another guild's members) are reused."""
    now = world.now()
    if guild_id not in world.guild_states:
        world.add_guild_state(guild_id)
    owner = _user(world, "organiser")
    everyone = world.add_role(
        "@everyone", permissions=EVERYONE_DEFAULT, role_id=guild_id, guild_id=guild_id
    )
    everyone["position"] = 0
    challengers = world.add_role("Challengers", mentionable=True, position=1, guild_id=guild_id)
    world.add_role("Challenge Finisher", position=2, guild_id=guild_id)
    world.add_role("Challenge Champion", position=3, guild_id=guild_id)
    bot_role = world.add_role(
        "Challenges Bot",
        permissions=Perm.VIEW_CHANNEL
        | Perm.SEND_MESSAGES
        | Perm.EMBED_LINKS
        | Perm.ATTACH_FILES
        | Perm.READ_MESSAGE_HISTORY
        | Perm.ADD_REACTIONS
        | Perm.CREATE_PUBLIC_THREADS
        | Perm.SEND_MESSAGES_IN_THREADS
        | Perm.MANAGE_THREADS
        | Perm.MANAGE_ROLES
        | Perm.USE_EXTERNAL_EMOJIS,
        position=4,
        managed=True,
        tags={"bot_id": world.application_id},
        guild_id=guild_id,
    )
    admin_role = world.add_role(
        "Admin",
        permissions=Perm.MANAGE_GUILD
        | Perm.MANAGE_MESSAGES
        | Perm.MANAGE_THREADS
        | Perm.MANAGE_ROLES
        | Perm.MENTION_EVERYONE
        | Perm.KICK_MEMBERS,
        position=5,
        guild_id=guild_id,
    )
    world.add_role("Moderator", permissions=Perm.MANAGE_MESSAGES, position=6, guild_id=guild_id)

    channels = {
        channel["name"]: channel
        for channel in (
            world.add_channel("welcome", topic="Say hello!", guild_id=guild_id),
            world.add_channel("general", guild_id=guild_id),
            world.add_channel("challenges", topic="One challenge a day", guild_id=guild_id),
            world.add_channel("challenges-forum", ChannelKind.GUILD_FORUM, guild_id=guild_id),
            world.add_channel(
                "staff",
                overwrites=[
                    {"id": guild_id, "type": 0, "allow": "0", "deny": str(Perm.VIEW_CHANNEL)}
                ],
                guild_id=guild_id,
            ),
        )
    }

    world.state(guild_id).guild = {
        "id": guild_id,
        "name": name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "owner_id": owner["id"],
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 1,
        "default_message_notifications": 1,
        "explicit_content_filter": 2,
        "features": ["COMMUNITY"],
        "mfa_level": 0,
        "nsfw_level": 0,
        "application_id": None,
        "system_channel_id": channels["welcome"]["id"],
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "vanity_url_code": None,
        "description": "Machine learning and deep learning in Morocco",
        "banner": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "public_updates_channel_id": None,
        "max_members": 500000,
        "max_video_channel_users": 25,
        "incidents_data": None,
        "emojis": [],
        "stickers": [],
        "region": "deprecated",
    }

    long_ago = now - timedelta(days=300)
    for user, roles in (
        (owner, [admin_role["id"]]),
        (world.bot_user, [bot_role["id"]]),
        (_user(world, "yasmine"), [admin_role["id"]]),
    ):
        world.add_member(
            user["username"], user=user, joined_at=long_ago, roles=roles, guild_id=guild_id
        )
    for index, member in enumerate(("amina", "youssef", "karim", "salma", "omar")):
        world.add_member(
            member,
            user=_user(world, member),
            roles=[challengers["id"]] if index % 2 == 0 else [],
            joined_at=long_ago + timedelta(days=index),
            guild_id=guild_id,
        )
    return channels


def _seed_history(world: World, *, general: Payload, challenges: Payload, forum: Payload) -> None:
    """A little past: chat in #general, one old archived thread, forum posts."""
    now = world.now()
    amina = world.member_named("amina")["user"]["id"]
    youssef = world.member_named("youssef")["user"]["id"]
    bot = world.application_id
    for hours, (author, text) in enumerate(
        [(amina, "Salam everyone!"), (youssef, "Hello! Ready for the challenges?")]
    ):
        moment = now - timedelta(days=30) + timedelta(hours=hours)
        world.store_message(world.new_message(general["id"], author, content=text, at=moment))

    # A warm-up post by the bot with an archived discussion thread.
    posted = now - timedelta(days=20)
    starter = world.store_message(
        world.new_message(challenges["id"], bot, content="Warm-up: introduce yourself!", at=posted)
    )
    thread = world.add_thread(
        challenges["id"],
        "Warm-up: introduce yourself",
        owner_id=bot,
        thread_id=starter.id,
        archived=True,
        created_at=posted,
        auto_archive_duration=10080,
    )
    thread["thread_metadata"]["archive_timestamp"] = world.new_message(
        thread["id"], bot, at=posted + timedelta(days=7)
    ).data["timestamp"]
    starter.data["flags"] |= MessageFlag.HAS_THREAD
    world.store_message(
        world.new_message(
            thread["id"],
            bot,
            kind=MessageKind.THREAD_STARTER_MESSAGE,
            reference={
                "type": 0,
                "channel_id": challenges["id"],
                "message_id": starter.id,
                "guild_id": world.guild_id,
            },
            at=posted,
        )
    )
    world.add_thread_member(thread["id"], bot)
    for minutes, author in enumerate((amina, youssef), start=1):
        world.add_thread_member(thread["id"], author)
        world.store_message(
            world.new_message(
                thread["id"],
                author,
                content="I'm in, data scientist from Rabat." if author == amina else "Hi all!",
                at=posted + timedelta(minutes=minutes),
            )
        )

    # An active thread in #general.
    world.add_thread(
        general["id"], "study-group", owner_id=youssef, created_at=now - timedelta(days=1)
    )

    # Forum posts: one active, one archived. A forum post's starter message has the thread's id.
    for days, name, archived in ((5, "Rules & FAQ", False), (40, "Old ideas", True)):
        created = now - timedelta(days=days)
        post = world.add_thread(
            forum["id"], name, owner_id=amina, archived=archived, created_at=created
        )
        world.add_thread_member(post["id"], amina)
        world.store_message(
            world.new_message(
                post["id"], amina, content=f"{name}: ", message_id=post["id"], at=created
            )
        )
