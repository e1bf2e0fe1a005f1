"""Leading labels, header lines and boilerplate: what must be recognised and what must be left alone."""

from __future__ import annotations

import pytest

from summarizer.text.labels import (
    WHY_IT_MATTERS,
    ends_as_sentence,
    is_boilerplate,
    is_header_only,
    is_labelled_caption,
    leading_label_length,
    opens_on_caption_label,
    points_at_photo,
)


def stripped(span: str, *, paragraph_start: bool = True) -> tuple[str, str | None]:
    """The span with its leading labels removed, and the section the labels open."""
    n, section = leading_label_length(span, paragraph_start=paragraph_start)
    assert 0 <= n <= len(span)
    return span[n:], section


# -- leading_label_length -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("span", "rest", "section"),
    [
        ("Why It Matters: The stakes are high.", "The stakes are high.", WHY_IT_MATTERS),
        ("why it matters - The stakes are high.", "The stakes are high.", WHY_IT_MATTERS),
        ("WHY IT MATTERS — The stakes are high.", "The stakes are high.", WHY_IT_MATTERS),
        ("Why it’s important: It is.", "It is.", WHY_IT_MATTERS),
        ("The bottom line: Prices will rise.", "Prices will rise.", WHY_IT_MATTERS),
        ("  Why this matters:   Prices will rise.", "Prices will rise.", WHY_IT_MATTERS),
        ("What Happened: Xi wrote a letter.", "Xi wrote a letter.", "what_happened"),
        ("Driving the news: Xi wrote a letter.", "Xi wrote a letter.", "what_happened"),
        ("Details: The plan has three parts.", "The plan has three parts.", "details"),
        ("What's next: A vote on Friday.", "A vote on Friday.", "next"),
        ("Go deeper: More on this topic.", "More on this topic.", "boilerplate"),
    ],
)
def test_section_labels(span: str, rest: str, section: str) -> None:
    assert stripped(span) == (rest, section)
    # Known section labels are recognised anywhere, not only at a paragraph start.
    assert stripped(span, paragraph_start=False) == (rest, section)


def test_labels_stack_behind_a_date_header() -> None:
    assert stripped("date 2024-10-06 What Happened: Xi wrote a letter.") == ("Xi wrote a letter.", "what_happened")


@pytest.mark.parametrize(
    ("span", "rest"),
    [
        ("date 2024-10-06 The leaders met.", "The leaders met."),
        ("Published: 12 May 2021 The story begins.", "The story begins."),
        ("2024-10-06T10:00:00Z The text begins.", "The text begins."),
        ("(CNN) -- Police arrested a man.", "Police arrested a man."),
        ("(cnn) police arrested a man.", "police arrested a man."),
        ("LONDON, England (CNN) -- The prime minister spoke.", "The prime minister spoke."),
        ("WASHINGTON (Reuters) - The senate voted.", "The senate voted."),
        ("PARIS — The city slept.", "The city slept."),
        ("- The first item", "The first item"),
        ("• The first item", "The first item"),
        ("1. The first item", "The first item"),
        ("2) The second item", "The second item"),
    ],
)
def test_headers_datelines_and_list_markers_are_peeled(span: str, rest: str) -> None:
    assert stripped(span) == (rest, None)


def test_generic_title_case_label_only_at_paragraph_start() -> None:
    span = "Market Reaction: Stocks fell sharply on the news today."
    assert stripped(span, paragraph_start=True) == ("Stocks fell sharply on the news today.", "other")
    assert stripped(span, paragraph_start=False) == (span, None)


def test_generic_label_needs_a_real_sentence_after_it() -> None:
    assert stripped("Market Reaction: Stocks fell.") == ("Market Reaction: Stocks fell.", None)


@pytest.mark.parametrize(
    "span",
    [
        "Smith said: 'we will win the election this time around'",
        "U.S. officials said: nothing happened in the long run of it",
        "March 3, 2020 marked the start of the lockdown.",
        "By the time he arrived, the polls had closed.",
        "3.5% of people agreed with the plan.",
        "The news was welcomed by everyone.",
        "Details of the plan were not released.",
        "Background checks were required for every buyer.",
        "Why it matters is still unclear to most voters.",
        "Context matters, the judge said.",
        "-5 degrees was the low on Monday.",
    ],
)
def test_ordinary_sentences_are_not_labels(span: str) -> None:
    for paragraph_start in (True, False):
        assert stripped(span, paragraph_start=paragraph_start) == (span, None)


def test_a_label_alone_is_not_stripped_to_nothing() -> None:
    # A dateline or header with nothing after it is not peeled: there would be no sentence left.
    for span in ["(CNN)", "date 2024-10-06", "PARIS"]:
        assert stripped(span)[0].strip(), span


@pytest.mark.parametrize(
    "span",
    [
        "Background-check laws passed in twelve states.",
        "The news-media industry lost jobs last year.",
        "Details-oriented managers say the change helps.",
    ],
)
def test_hyphenated_compounds_are_not_section_labels(span: str) -> None:
    # "Background-check" is one word, not the label "Background" followed by a dash.
    assert stripped(span) == (span, None)


# -- is_header_only -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "span",
    [
        "date 2024-10-06",
        "Date: 2024-10-06",
        "Published: 12 May 2021",
        "Updated: March 3, 2020",
        "2024-10-06",
        "2024-10-06 10:00",
        "posted 2024-10-06 | 10:30 AM EST",
        "Last updated at 2024-10-06T10:00:00Z.",
        "  date 2024-10-06  ",
    ],
)
def test_header_only_lines(span: str) -> None:
    assert is_header_only(span)


@pytest.mark.parametrize(
    "span",
    [
        "",
        "date 2024-10-06 The leaders met.",
        "March 3, 2020 marked the start of the lockdown.",
        "The date 2024-10-06 was chosen.",
        "Published research shows a link.",
        "Updated guidance was issued on Monday.",
        "2024 was a hard year.",
    ],
)
def test_not_header_only(span: str) -> None:
    assert not is_header_only(span)


# -- is_boilerplate -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "By John Smith",
        "BY JOHN SMITH",
        "By . Daily Mail Reporter",
        "By John Smith and Jane Doe",
        "Scroll down for video",
        "Click here to read more.",
        "The full story is online. Click here to see it.",
        "Reuters contributed to this report.",
        "Copyright 2024 CNN.",
        "© 2024 The Company",
        "All rights reserved.",
        "Follow @jsmith on Twitter",
        "Subscribe to our newsletter",
        "Sign up for alerts.",
        "Read more: the plan",
        "Photo: Getty Images",
        "Advertisement",
        "Share this article",
        "Related: other stories",
        "Video: the crash",
        "For confidential support call the Samaritans on 08457 90 90 90.",
        "The mayor waves to the crowd (Photo: City Hall)",
    ],
)
def test_boilerplate(text: str) -> None:
    assert is_boilerplate(text)


@pytest.mark.parametrize(
    "text",
    [
        "By the time he arrived, the polls had closed.",
        "By Tuesday the storm had passed.",
        "By 2030 the city will be twice as large.",
        "By John Smith's account, the meeting went badly and nobody agreed on anything at all that day.",
        "The photo shows a man outside his home.",
        "The man was pictured outside his home.",
        "The source said the deal was near.",
        "Source code for the app leaked.",
        "Video footage showed the crash.",
        "Follow-up inspections found no problems.",
        "Sign-up rates for the program doubled.",
        "He read more books than anyone.",
        "The company shares this view.",
        "The subscription price rose.",
        "Readers said more should be done.",
    ],
)
def test_not_boilerplate(text: str) -> None:
    assert not is_boilerplate(text)


@pytest.mark.parametrize(
    "text",
    [
        "The firm offers cheap/free shipping to customers.",
        "Subscribers to the service rose 10% this year.",
        "Copyright lawsuits against AI firms rose sharply.",
    ],
)
def test_news_sentences_starting_or_containing_boilerplate_words_are_content(text: str) -> None:
    assert not is_boilerplate(text)


def test_byline_with_outlet_suffix() -> None:
    # The byline pattern's own documentation names this form.
    assert is_boilerplate("By John Smith and Jane Doe, CNN")
    assert is_boilerplate("By John Smith, CNN")


def test_long_text_starting_with_by_and_a_name_is_not_a_byline() -> None:
    long = "By Smith " + "And Jones " * 10
    assert len(long) >= 80
    assert not is_boilerplate(long)


# -- is_labelled_caption ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "span",
    [
        "Fighter ace: Squadron Leader Douglas Bader in 1941",
        "Suspended: Britt McHenry has been suspended from ESPN for one week for the offensive rant",
        "Fighter ace: Douglas Bader's story is to be told in a Hollywood film dubbed ‘The First Great Escape’",
        "Under the sea: Marine organisms such as seaweed and sea urchins are still attached to the land mass",
        # A photo position marks a caption even with a full stop (lower-cased caption lines in the dev file).
        "Shine on: maticevski (left), ginger & smart (middle), and johanna johnson (right) wowed with metallic golds.",
        "Plans: maren sanchez, pictured in the dress she had planned to wear to prom, was excited about the dance.",
    ],
)
def test_labelled_captions(span: str) -> None:
    assert is_labelled_caption(span)


@pytest.mark.parametrize(
    "span",
    [
        "Breakthrough: Scientists found the cause of the outbreak on Monday.",  # a full sentence is content
        "Vile acts: Police have recovered videos showing the teacher molesting boys at a karate studio.",
        "He added: ‘True compassion isn’t giving people a benefits cheque (pictured) – it’s a chance",  # speech
        "Police said: 'We are looking for two men in their twenties",
        "Twitter: ‘If you are pregnant in Poldark times expect to have it in the next 10 minutes",
        "Why it matters: it raises taxes for most residents",  # a section label
        "Mr Smith was pictured leaving court",  # no label
        "Market Reaction: stocks fell",  # Title Case: a newsletter label, not DailyMail's caption style
    ],
)
def test_not_labelled_captions(span: str) -> None:
    assert not is_labelled_caption(span)


@pytest.mark.parametrize(
    ("span", "label"),
    [
        ("Novel idea: Priscilla Presley will serve as a witness at the wedding.", True),
        ("Fugitive: The Tbilisi native admitted the charges.", True),
        ("He added: 'We will appeal.'", False),  # speech
        ("Why it matters: the ruling sets a precedent.", False),  # a section label
        ("The council said on Monday that fares would rise.", False),
    ],
)
def test_sentences_opening_on_a_caption_label(span: str, label: bool) -> None:
    assert opens_on_caption_label(span) is label


@pytest.mark.parametrize(
    ("span", "ends"),
    [
        ("Fares will rise in March.", True),
        ("Will fares rise?", True),
        ("He called it 'a disgrace.'", True),
        ("The plan was approved (after a long debate.)", True),
        ("Williams congratulates Italy captain Corrado Barazzutti after the defeat", False),
        ("a film dubbed 'The First Great Escape'", False),  # a closing quote alone is no end
    ],
)
def test_spans_that_end_as_sentences(span: str, ends: bool) -> None:
    assert ends_as_sentence(span) is ends


@pytest.mark.parametrize(
    ("span", "photo"),
    [
        ("Council leader Ann Reyes (pictured) warned of the cost.", True),
        ("Moores (left) oversaw the exit.", True),
        ("Smith, pictured, said the plan would go ahead.", True),
        ("The couple, pictured with their son, moved in 2010.", True),
        ("Investors had pictured a swift recovery.", False),  # the verb
        ("The left-wing party won 12 seats.", False),
    ],
)
def test_sentences_that_point_at_a_photo(span: str, photo: bool) -> None:
    assert points_at_photo(span) is photo
