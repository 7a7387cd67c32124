"""/keyword, /keywords and /search end to end: the real bot against the Discord emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.emulator import Emulator, wait_for
from devtools.emulator.runner import BotRunner

pytestmark = pytest.mark.e2e

EXTENSIONS = ("cogs.meta", "cogs.keywords")
APOLOGY = "Sorry, something went wrong"


def long_article(keywords_dir: Path) -> None:
    """An extra article long enough for three full-text pages."""
    paragraph = (
        "Satellite pictures of the Souss valley show field boundaries, irrigation and crop "
        "health. A model trained on labelled tiles can map them every week, but it must be "
        "checked on new regions and seasons before anyone relies on it. "
    ) * 4
    body = "\n\n".join(f"Section {n}. {paragraph}" for n in range(1, 14))
    (keywords_dir / "long-read.md").write_text(
        "---\ntitle: Long Read Test\nslug: long-read\ncategory: Applications\n"
        "aliases: [lecture longue]\nrelated: [remote-sensing, ai-in-agriculture]\n---\n"
        f"{body}\n",
        encoding="utf-8",
    )


async def test_autocomplete_choices(bot_runner: BotRunner, emulator: Emulator) -> None:
    await bot_runner.start(extensions=EXTENSIONS)
    amina = emulator.member("amina")

    choices = await amina.autocomplete("keyword", "term", "deep le")
    assert (choices[0]["name"], choices[0]["value"]) == ("Deep Learning", "deep-learning")
    assert len({c["value"] for c in choices}) == len(choices)  # one choice per article

    everything = await amina.autocomplete("keyword", "term", "")
    names = [c["name"] for c in everything]
    assert len(names) == 25 and names == sorted(names, key=str.casefold)

    french = await amina.autocomplete("keyword", "term", "apprentissage prof")
    assert french[0]["value"] == "deep-learning" and "apprentissage profond" in french[0]["name"]
    glued = await amina.autocomplete("keyword", "term", "deeplearn")
    assert glued[0]["value"] == "deep-learning"
    for odd in ('" OR NEAR(', "x" * 6000, "<@&1> @everyone", "\u0000\u200b"):
        for choice in await amina.autocomplete("keyword", "term", odd):
            assert 1 <= len(choice["name"]) <= 100 and len(choice["value"]) <= 100


async def test_keyword_embed_related_and_read_more(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    await bot_runner.start(extensions=EXTENSIONS)
    amina = emulator.member("amina")

    answer = await amina.runs("keyword", term="ai-in-education")  # the value autocomplete sends
    assert not answer.ephemeral
    embed = answer.embed
    assert embed["title"] == "AI in Education"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Category"] == "Applications"
    assert "Day 1: Education" in fields["In the challenge"]  # the day tags this article
    assert len(embed["description"]) <= 1000  # the summary
    labels = [b["label"] for b in answer.buttons()]
    assert labels[:2] == ["Previous", "Read more"]
    assert len(labels) > 2  # related articles

    more = await answer.click("Read more")
    assert "full article" in more.embed["footer"]["text"]
    assert not more.embed.get("fields")
    back = await answer.click("Previous")
    assert back.embed["title"] == "AI in Education" and back.embed["fields"]

    related = labels[2]
    opened = await answer.click(related)
    assert opened.embed["title"] == related
    assert emulator.recorder.pinging() == []


async def test_typos_french_and_word_order(bot_runner: BotRunner, emulator: Emulator) -> None:
    await bot_runner.start(extensions=EXTENSIONS)
    amina = emulator.member("amina")
    for term in ("deep lerning", "apprentissage profond", "learning deep", "deeplearning"):
        answer = await amina.runs("keyword", term=term)
        assert answer.embed["title"] == "Deep Learning", term


async def test_paging_belongs_to_the_invoker(
    bot_runner: BotRunner, emulator: Emulator, content_dirs: tuple[Path, Path]
) -> None:
    long_article(content_dirs[1])
    await bot_runner.start(extensions=EXTENSIONS)
    amina, youssef = emulator.member("amina"), emulator.member("youssef")

    answer = await amina.runs("keyword", term="lecture longue")
    assert answer.embed["title"] == "Long Read Test"
    refused = await youssef.clicks(answer.record.original, "Read more")
    assert refused.ephemeral and "run it yourself" in refused.text

    parts = []
    page = await answer.click("Read more")
    while True:
        footer = page.embed["footer"]["text"]
        parts.append(footer)
        assert len(page.embed["description"]) <= 4096
        next_button = next(b for b in page.buttons() if b["label"] == "Next")
        if next_button.get("disabled"):
            break
        page = await answer.click("Next")
    assert len(parts) >= 3 and parts[-1].startswith(f"full article, part {len(parts)} of")
    sensing = await answer.click("Remote Sensing")
    assert sensing.embed["title"] == "Remote Sensing"


async def test_did_you_mean_and_not_found(bot_runner: BotRunner, emulator: Emulator) -> None:
    await bot_runner.start(extensions=EXTENSIONS)
    amina = emulator.member("amina")

    suggestion = await amina.runs("keyword", term="neural")
    assert suggestion.ephemeral and "Did you mean" in suggestion.content
    labels = [b["label"] for b in suggestion.buttons()]
    assert 1 <= len(labels) <= 3 and labels[0] == "Did you mean Neural Networks?"
    picked = await suggestion.click(labels[0])
    assert picked.embed["title"] == "Neural Networks"
    assert not picked.content

    # real ids (a member, the mentionable Challengers role): an echoed mention would ping
    member, role = emulator.member("youssef").id, emulator.role("Challengers")["id"]
    missing = await amina.runs("keyword", term=f"@everyone **zzqqxx** <@{member}> <@&{role}>")
    assert missing.ephemeral and "couldn't find" in missing.text
    assert "@everyone" not in missing.text and f"<@{member}>" not in missing.text
    assert f"<@&{role}>" not in missing.text
    odd = await amina.runs("keyword", term='" OR NEAR(x, y) AND -:*')
    # searched as plain words: suggestions (or a polite "not found"), never an apology
    assert ("Did you mean" in odd.content and odd.buttons()) or "couldn't find" in odd.text
    assert APOLOGY not in odd.text and APOLOGY not in missing.text
    quoted = await amina.runs("keyword", term='"deep learning"')
    assert quoted.embed["title"] == "Deep Learning"
    huge = await amina.runs("keyword", term="x" * 6000)
    assert huge.ephemeral
    assert emulator.recorder.pinging() == []


async def test_search_highlights(bot_runner: BotRunner, emulator: Emulator) -> None:
    await bot_runner.start(extensions=EXTENSIONS)
    amina = emulator.member("amina")

    answer = await amina.runs("search", text="darija speech")
    assert not answer.ephemeral
    fields = answer.embed["fields"]
    assert 1 <= len(fields) <= 5
    assert any("**Darija**" in f["value"] or "**darija**" in f["value"] for f in fields)
    nothing = await amina.runs("search", text="qqzzxxvv")
    assert nothing.ephemeral and "Nothing in the articles" in nothing.text


async def test_browse_by_category(bot_runner: BotRunner, emulator: Emulator) -> None:
    await bot_runner.start(extensions=EXTENSIONS)
    amina = emulator.member("amina")

    choices = await amina.autocomplete("keywords", "category", "found")
    assert [c["value"] for c in choices] == ["Foundations"]
    foundations = await amina.runs("keywords", category="Foundations")
    assert foundations.embed["title"] == "Keywords — Foundations"
    assert "**Deep Learning**" in foundations.embed["description"]

    everything = await amina.runs("keywords")
    assert everything.embed["title"] == "All keywords"
    assert everything.embed["footer"]["text"].startswith("Page 1 of ")
    second = await everything.click("Next")
    assert second.embed["footer"]["text"].startswith("Page 2 of ")
    assert (await everything.click("Previous")).embed["footer"]["text"].startswith("Page 1 of ")

    unknown = await amina.runs("keywords", category="Cooking")
    assert unknown.ephemeral and "Foundations" in unknown.text


async def test_cooldown_per_member(bot_runner: BotRunner, emulator: Emulator) -> None:
    await bot_runner.start(
        extensions=EXTENSIONS, command_cooldown_rate=2, command_cooldown_seconds=60
    )
    amina, youssef = emulator.member("amina"), emulator.member("youssef")
    for _ in range(2):
        assert (await amina.runs("keyword", term="deep learning")).embeds
    slowed = await amina.runs("keyword", term="deep learning")
    assert slowed.ephemeral and "Slow down" in slowed.text
    assert (await youssef.runs("keyword", term="deep learning")).embeds  # others unaffected


async def test_views_time_out(
    bot_runner: BotRunner, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # long enough that the click below lands before the view expires on a loaded machine
    monkeypatch.setattr("cogs.views.keywords.VIEW_TIMEOUT", 2.0)
    await bot_runner.start(extensions=EXTENSIONS)
    amina = emulator.member("amina")

    answer = await amina.runs("keyword", term="deep learning")
    suggestion = await amina.runs("keyword", term="neural")
    await suggestion.click("Did you mean Neural Networks?")

    def greyed(target: object) -> bool:
        buttons = target.buttons()  # type: ignore[attr-defined]
        return bool(buttons) and all(b.get("disabled") for b in buttons)

    await wait_for(lambda: greyed(answer) and greyed(suggestion), timeout=15)
    # the article that replaced the suggestions is what went grey, not the old buttons
    assert suggestion.embed["title"] == "Neural Networks"
    assert not any(b["label"].startswith("Did you mean") for b in suggestion.buttons())


async def test_a_broken_article_costs_only_itself(
    bot_runner: BotRunner, emulator: Emulator, content_dirs: tuple[Path, Path]
) -> None:
    keywords_dir = content_dirs[1]
    (keywords_dir / "broken.md").write_text(
        "---\ntitle: Broken Page\nslug: broken-page\naliases: [one, two\n---\nText.\n",
        encoding="utf-8",
    )
    (keywords_dir / "emoji.md").write_text(
        "---\ntitle: 🤖\nslug: emoji-only\ncategory: Fun\n---\nOnly an emoji.\n", encoding="utf-8"
    )
    long_article(keywords_dir)  # relates to remote-sensing and ai-in-agriculture…
    page = keywords_dir / "long-read.md"
    page.write_text(page.read_text("utf-8").replace("remote-sensing", "transformerz"), "utf-8")
    await bot_runner.start(keywords_dir=keywords_dir, extensions=EXTENSIONS)
    amina = emulator.member("amina")

    answer = await amina.runs("keyword", term="deep learning")
    assert answer.embed["title"] == "Deep Learning"
    trimmed = await amina.runs("keyword", term="lecture longue")  # …minus the unknown link
    assert trimmed.embed["title"] == "Long Read Test"
    labels = [b["label"] for b in trimmed.buttons()]
    assert "AI in Agriculture" in " ".join(labels) and "Remote Sensing" not in labels
    missing = await amina.runs("keyword", term="broken page")
    assert not missing.embeds and "couldn't find" in missing.content
    for typed in ("", "🤖", "deep le"):
        for choice in await amina.autocomplete("keyword", "term", typed):
            assert choice["value"] not in ("broken-page", "emoji-only")
    assert len(bot_runner.bot.get_cog("Keywords").service) >= 60


async def test_french_arabic_and_darija_lookups(bot_runner: BotRunner, emulator: Emulator) -> None:
    await bot_runner.start(extensions=EXTENSIONS)
    amina = emulator.member("amina")

    for term, title in (
        ("apprentissage profond", "Deep Learning"),
        ("réseaux de neurones", "Neural Networks"),
        ("c'est quoi l'IA", "Artificial Intelligence"),
        ("الذكاء الاصطناعي", "Artificial Intelligence"),
        ("الذّكاء الإصطناعيّ", "Artificial Intelligence"),  # shadda, hamza, no definite article
        ("ما هو التعلم العميق", "Deep Learning"),
        ("شنو هو التعلم الآلي", "Machine Learning"),
        ("segmentation", "Image Segmentation"),  # one title has the word: opened directly
    ):
        answer = await amina.runs("keyword", term=term)
        assert not answer.ephemeral and answer.embed["title"] == title, term

    tie = await amina.runs("keyword", term="neural")  # several titles: a private question
    assert tie.ephemeral and "Did you mean" in tie.content and 2 <= len(tie.buttons()) <= 3

    arabic = await amina.autocomplete("keyword", "term", "الذكاء الاصط")
    assert arabic and arabic[0]["value"] == "artificial-intelligence"

    french = await amina.runs("search", text="apprentissage profond")
    assert french.embed["fields"][0]["name"] == "Deep Learning"
    in_arabic = await amina.runs("search", text="الشبكات العصبية")
    assert "Neural Networks" in [field["name"] for field in in_arabic.embed["fields"]]
    assert emulator.recorder.pinging() == []


async def test_default_cooldown_lets_a_conversation_through(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    await bot_runner.start(extensions=EXTENSIONS)  # defaults: 10 per 60 s
    amina = emulator.member("amina")
    for _ in range(30):  # typing with autocomplete never counts
        assert await amina.autocomplete("keyword", "term", "deep")
    for _ in range(10):
        assert (await amina.runs("keyword", term="deep learning")).embeds
    slowed = await amina.runs("keyword", term="deep learning")
    assert slowed.ephemeral and "Slow down" in slowed.text
