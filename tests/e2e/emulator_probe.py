"""Test-only slash commands that exercise every interaction path of the emulator with the
real discord.py client (loaded as an extension by tests/e2e/test_emulator.py)."""

from __future__ import annotations

import asyncio
import io
import struct
import zlib

import discord
from discord import app_commands
from discord.ext import commands

FRUITS = [f"fruit-{n:02d}" for n in range(40)]


def tiny_png(width: int = 3, height: int = 2) -> bytes:
    """A valid PNG, built by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


class Counter(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)
        self.count = 0

    @discord.ui.button(label="Add", custom_id="probe:add")
    async def add(
        self, interaction: discord.Interaction, button: discord.ui.Button[Counter]
    ) -> None:
        self.count += 1
        await interaction.response.edit_message(content=f"count={self.count}", view=self)

    @discord.ui.button(label="Ask", custom_id="probe:ask")
    async def ask(
        self, interaction: discord.Interaction, button: discord.ui.Button[Counter]
    ) -> None:
        await interaction.response.send_modal(Feedback())


class Feedback(discord.ui.Modal, title="Feedback"):
    answer: discord.ui.TextInput[Feedback] = discord.ui.TextInput(
        label="Your answer", custom_id="probe:answer"
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks for: {self.answer.value}", ephemeral=True)


class Probe(commands.GroupCog, group_name="probe", group_description="Emulator probes"):
    options = app_commands.Group(name="options", description="Option types")

    @app_commands.command(name="defer", description="Defer, then follow up")
    async def defer(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await asyncio.sleep(0.05)
        await interaction.followup.send("done after defer")
        await interaction.followup.send("second follow-up", ephemeral=True)

    @app_commands.command(name="public", description="A public answer, then an edit")
    async def public(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("first")
        await interaction.edit_original_response(content="edited")

    @app_commands.command(name="buttons", description="A view with buttons")
    async def buttons(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("count=0", view=Counter())

    @app_commands.command(name="modal", description="Open a modal")
    async def modal(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Feedback())

    @app_commands.command(name="file", description="Answer with a PNG")
    async def file(self, interaction: discord.Interaction) -> None:
        picture = discord.File(io.BytesIO(tiny_png()), filename="chart.png")
        await interaction.response.send_message("here", file=picture, ephemeral=True)

    @app_commands.command(name="big", description="Answer with an embed over the limit")
    async def big(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(embed=discord.Embed(description="x" * 4097))

    @app_commands.command(name="pick", description="Autocomplete")
    @app_commands.describe(fruit="A fruit", many="Return too many choices")
    async def pick(self, interaction: discord.Interaction, fruit: str, many: bool = False) -> None:
        await interaction.response.send_message(f"picked {fruit}", ephemeral=True)

    @pick.autocomplete("fruit")
    async def pick_fruit(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        found = [f for f in FRUITS if current in f]
        many = bool(interaction.namespace.many)
        return [app_commands.Choice(name=f, value=f) for f in (found if many else found[:25])]

    @options.command(name="echo", description="Echo resolved options")
    async def echo(
        self,
        interaction: discord.Interaction,
        who: discord.Member,
        where: discord.TextChannel,
        role: discord.Role,
        count: app_commands.Range[int, 1, 10] = 1,
        attachment: discord.Attachment | None = None,
    ) -> None:
        text = f"{who.name} {where.name} {role.name} {count}"
        if attachment is not None:
            text += f" {attachment.filename} {len(await attachment.read())}"
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Probe())
