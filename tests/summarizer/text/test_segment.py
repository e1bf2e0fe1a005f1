"""Sentence segmentation: exact offsets for any input, and the news-text cases it must get right."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.text import Sentence, count_words, segment, visible_text
from summarizer.text.labels import WHY_IT_MATTERS
from summarizer.text.segment import display_text

# -- invariants ---------------------------------------------------------------------------------

_SPECIAL_CHARACTERS = (
    "abcXYZ019 .,;:!?-—–\"'“”‘’()[]$%…*•\n\r\t"
    "\u200b\u200c\u200d\u2060\ufeff\u00ad"  # invisible format characters
    "\u00a0\u2028\u2029\x0b\x0c\x85\u3000"  # unusual whitespace and line breaks
    "😀👍\U0001f3fd\U0001f1fa\U0001f1f8"  # emoji, a skin-tone modifier, regional indicators
    "שלוםمرحب\u200f\u202e"  # RTL letters and bidi marks
    "éßﬁⅫ①İ"  # NFKC and case-mapping oddities
)
_ALPHABET = st.one_of(
    st.characters(codec="utf-8"),  # anything, surrogates excluded
    st.sampled_from(_SPECIAL_CHARACTERS),
)

_WORDS = st.sampled_from(
    ["the", "Police", "said", "U.S.", "Mr.", "Jan.", "3.5%", "it", "China", "(CNN)", "--", "By", "what", "Why"]
)
_PIECES = st.one_of(
    _WORDS,
    st.sampled_from(
        [
            ". ",
            "! ",
            "? ",
            "\n",
            "\n\n",
            "\r\n",
            "U.S. ",
            "$8.5 billion",
            "...",
            "…",
            "- ",
            "1. ",
            "Why It Matters: ",
            "What Happened: ",
            "date 2024-10-06 ",
            "By John Smith\n",
            "Scroll down for video",
            "left.Then",
            '"',
            " ",
            "\u200b",
        ]
    ),
)
_SENTENCE_LIKE = st.lists(st.one_of(_PIECES, _PIECES.map(lambda p: p + " ")), max_size=60).map("".join)
_ANY_TEXT = st.one_of(st.text(alphabet=_ALPHABET, max_size=300), _SENTENCE_LIKE)


def _collapsed(text: str) -> str:
    return " ".join(visible_text(text).split())


def check_invariants(text: str, sentences: list[Sentence]) -> None:
    previous_end = 0
    for n, s in enumerate(sentences):
        assert s.index == n
        assert 0 <= s.start < s.end <= len(text), (s, len(text))
        assert s.start >= previous_end, "spans must be increasing and must not overlap"
        previous_end = s.end
        assert s.text, s
        assert s.text == s.text.strip() and "  " not in s.text
        # The display text is the span minus leading labels, invisible characters removed, whitespace collapsed.
        assert _collapsed(text[s.start : s.end]).endswith(s.text), (s, text[s.start : s.end])
        assert s.paragraph >= 0 and s.position_in_paragraph >= 0
    paragraphs = [s.paragraph for s in sentences]
    assert paragraphs == sorted(paragraphs)


@settings(max_examples=200, deadline=None)
@given(_ANY_TEXT)
def test_segment_offsets_hold_for_any_text(text: str) -> None:
    check_invariants(text, segment(text))


@settings(max_examples=200, deadline=None)
@given(_SENTENCE_LIKE)
def test_segment_offsets_hold_for_sentence_like_text(text: str) -> None:
    check_invariants(text, segment(text))


def test_display_text_collapses_whitespace_and_drops_invisible_characters() -> None:
    assert display_text("  a\u200b\n\tb\u00a0 c  ") == "a b c"
    assert display_text("\u200b\ufeff") == ""
    assert display_text("co\u00adoperate\u2060 now") == "cooperate now"


def test_display_text_keeps_the_joiners_that_join_emoji_and_shape_scripts() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert display_text(f"The {family} waited.") == f"The {family} waited."
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # "I want", with a zero-width non-joiner
    assert display_text(persian) == persian


# -- helpers ------------------------------------------------------------------------------------


def texts(text: str) -> list[str]:
    sentences = checked(text)
    return [s.text for s in sentences]


def checked(text: str) -> list[Sentence]:
    """``segment(text)``, after checking the offset invariants on it."""
    sentences = segment(text)
    check_invariants(text, sentences)
    return sentences


def only(text: str) -> Sentence:
    sentences = checked(text)
    assert len(sentences) == 1, [s.text for s in sentences]
    return sentences[0]


# -- sentence boundaries ------------------------------------------------------------------------


def test_abbreviations_do_not_split() -> None:
    text = "The U.S. economy grew last year. Mr. Smith met officials on Jan. 5 in Washington."
    assert texts(text) == ["The U.S. economy grew last year.", "Mr. Smith met officials on Jan. 5 in Washington."]


def test_a_title_before_a_name_does_not_end_the_sentence() -> None:
    # pysbd does not know "Spc." as a title (dev file: "...the eighth-grader's boyfriend, Army Spc. | Caleb Barnes").
    text = (
        "She drove her daughter and the girl's boyfriend, Army Spc. Caleb Barnes, to a concert, court documents "
        "say. He was arrested later."
    )
    assert texts(text) == [
        "She drove her daughter and the girl's boyfriend, Army Spc. Caleb Barnes, to a concert, court documents say.",
        "He was arrested later.",
    ]


@pytest.mark.parametrize("title", ["Spc.", "Pvt.", "Pfc.", "Pte.", "Insp.", "Atty.", "Lieut.", "Cdr.", "spc."])
def test_titles_pysbd_does_not_know_keep_the_name(title: str) -> None:
    text = f"The court heard from {title} John Smith on Monday. The case goes on."
    assert texts(text) == [f"The court heard from {title} John Smith on Monday.", "The case goes on."]


def test_a_title_at_a_line_end_keeps_the_name_on_the_next_line() -> None:
    text = "It was stolen last week.\nDet.\nMcGowan said police do not know who took it."
    assert texts(text) == ["It was stolen last week.", "Det. McGowan said police do not know who took it."]
    # Lower-cased, tokenised sources put every sentence on a line, and broke the line after the title too.
    text = "investigators are looking into it, said police sgt.\njeremy sutton.\nhe did not explain."
    assert texts(text) == ["investigators are looking into it, said police sgt. jeremy sutton.", "he did not explain."]


def test_a_title_before_a_new_sentence_still_ends_it() -> None:
    assert texts("He was promoted to Spc. The ceremony was short.") == [
        "He was promoted to Spc.",
        "The ceremony was short.",
    ]
    # "St." is also a street, and a line may end on one.
    assert texts("He lives on Main St.\nPolice came.") == ["He lives on Main St.", "Police came."]


def test_decimals_and_money_do_not_split() -> None:
    text = "The aid is worth $8 billion. Inflation rose 3.5% in March. The deal cost $8.5 billion overall."
    assert texts(text) == [
        "The aid is worth $8 billion.",
        "Inflation rose 3.5% in March.",
        "The deal cost $8.5 billion overall.",
    ]


def test_missing_space_after_period_splits() -> None:
    text = "The crowd left.Then the rain started."
    sentences = checked(text)
    assert [s.text for s in sentences] == ["The crowd left.", "Then the rain started."]
    assert text[sentences[0].start : sentences[0].end] == "The crowd left."
    assert sentences[1].start == text.index("Then")


def test_ellipsis_inside_a_quote_does_not_split() -> None:
    text = 'He said "I don\'t know... maybe later" and walked away. Then he left.'
    assert texts(text) == ['He said "I don\'t know... maybe later" and walked away.', "Then he left."]


def test_bullet_items_are_separate_sentences_without_their_marker() -> None:
    text = "Key points for readers:\n- The first item is here\n- The second item is here\n* The third item"
    sentences = checked(text)
    assert [s.text for s in sentences] == [
        "Key points for readers:",
        "The first item is here",
        "The second item is here",
        "The third item",
    ]
    for s, marker in zip(sentences[1:], ["- ", "- ", "* "], strict=True):
        assert text[s.start : s.end].startswith(marker), "the span keeps the marker"
        assert text[s.start : s.end].endswith(s.text)


def test_numbered_list_items_are_separate_sentences() -> None:
    text = "Steps:\n1. Open the door\n2) Walk through it"
    assert texts(text) == ["Steps:", "Open the door", "Walk through it"]


def test_paragraph_without_final_punctuation_is_its_own_sentence() -> None:
    text = "Officials gave no further details about the incident on Monday\n\nThe investigation continues."
    sentences = checked(text)
    assert [s.text for s in sentences] == [
        "Officials gave no further details about the incident on Monday",
        "The investigation continues.",
    ]
    assert [s.paragraph for s in sentences] == [0, 1]


def test_unpunctuated_paragraph_does_not_swallow_the_next_one() -> None:
    text = "The first paragraph ends without a period\n\nThe second one does."
    assert texts(text) == ["The first paragraph ends without a period", "The second one does."]


def test_hard_wrapped_lines_are_joined() -> None:
    text = (
        "This is a long line that was hard wrapped by some email client at around seventy\n"
        "characters and continues on the next line until it finally ends. A second sentence."
    )
    sentences = checked(text)
    assert len(sentences) == 2
    assert sentences[0].text.startswith("This is a long line") and sentences[0].text.endswith("finally ends.")
    assert "seventy characters" in sentences[0].text, "the line break is collapsed to one space"
    assert "\n" in text[sentences[0].start : sentences[0].end]
    assert sentences[1].text == "A second sentence."


def test_lines_ending_with_punctuation_are_not_joined() -> None:
    text = "The first line ends with a period.\nThe second line starts a new sentence"
    assert texts(text) == ["The first line ends with a period.", "The second line starts a new sentence"]


def test_blank_lines_increment_paragraph() -> None:
    text = "First paragraph here. Still first.\n\nSecond paragraph here.\n\n\n\nThird one here."
    sentences = checked(text)
    assert [(s.paragraph, s.position_in_paragraph) for s in sentences] == [(0, 0), (0, 1), (1, 0), (2, 0)]


def test_single_line_break_between_sentences_keeps_the_paragraph() -> None:
    text = "The first sentence is here.\nThe second sentence is here."
    sentences = segment(text)
    assert [(s.paragraph, s.position_in_paragraph) for s in sentences] == [(0, 0), (0, 1)]


# -- labels, headers, datelines -----------------------------------------------------------------


def test_section_labels_are_stripped_and_set_the_section() -> None:
    text = (
        "What Happened: The council approved the budget on Monday.\n\n"
        "Why It Matters: The budget will raise taxes for most residents.\n\n"
        "Some residents have already said they will move away."
    )
    sentences = checked(text)
    assert [s.text for s in sentences] == [
        "The council approved the budget on Monday.",
        "The budget will raise taxes for most residents.",
        "Some residents have already said they will move away.",
    ]
    assert [s.section for s in sentences] == ["what_happened", WHY_IT_MATTERS, WHY_IT_MATTERS]
    # The label stays inside the span: offsets cover the source, the text does not.
    assert text[sentences[0].start : sentences[0].end].startswith("What Happened:")
    assert text[sentences[1].start : sentences[1].end].startswith("Why It Matters:")


def test_a_later_label_ends_the_why_it_matters_section() -> None:
    text = "Why It Matters: The stakes are high for all.\n\nWhat's Next: The vote is on Friday this week."
    sentences = segment(text)
    assert [s.section for s in sentences] == [WHY_IT_MATTERS, "next"]


def test_articles_without_labels_have_no_section() -> None:
    assert all(s.section is None for s in segment("One sentence here.\n\nAnother one there."))


def test_leading_date_header_is_stripped_from_the_first_sentence() -> None:
    text = "date 2024-10-06 The leaders met today in Beijing. They talked for hours."
    sentences = checked(text)
    assert sentences[0].text == "The leaders met today in Beijing."
    assert sentences[0].start == 0, "the header stays inside the span"
    assert sentences[1].text == "They talked for hours."


def test_header_only_line_is_dropped() -> None:
    text = "date 2024-10-06\n\nThe leaders met today in Beijing."
    sentences = checked(text)
    assert [s.text for s in sentences] == ["The leaders met today in Beijing."]
    assert sentences[0].start == text.index("The leaders")


def test_published_header_line_is_dropped() -> None:
    assert texts("Published: 12 May 2021\n\nThe story starts here today.") == ["The story starts here today."]


def test_cnn_dateline_is_stripped() -> None:
    text = "(CNN) -- Police arrested a man on Tuesday."
    s = only(text)
    assert s.text == "Police arrested a man on Tuesday."
    assert s.start == 0


def test_place_and_agency_datelines_are_stripped() -> None:
    assert only("LONDON, England (CNN) -- The prime minister spoke.").text == "The prime minister spoke."
    assert only("WASHINGTON (Reuters) - The senate voted on Tuesday.").text == "The senate voted on Tuesday."


def test_boilerplate_is_flagged() -> None:
    text = (
        "By John Smith\n\nScroll down for video\n\nClick here to read more about it.\n\n"
        "The story begins here with a real sentence."
    )
    sentences = checked(text)
    assert [s.boilerplate for s in sentences] == [True, True, True, False]


def test_ordinary_sentences_are_not_boilerplate() -> None:
    text = "By the time he arrived, the polls had closed. Officials counted the votes overnight."
    assert not any(s.boilerplate for s in segment(text))


# -- headings -----------------------------------------------------------------------------------


def test_short_unpunctuated_first_line_standing_alone_is_a_heading() -> None:
    text = "Storm Hits Coast\n\nA storm hit the coast on Monday and caused damage."
    sentences = checked(text)
    assert [s.heading for s in sentences] == [True, False]
    assert sentences[0].text == "Storm Hits Coast"


def test_long_unpunctuated_paragraph_is_not_a_heading() -> None:
    text = (
        "A long paragraph that does not end with punctuation and has many more than twenty words in total "
        "because it keeps going on and on about the same thing for a while\n\nNext one is here."
    )
    sentences = checked(text)
    assert len(sentences) == 2
    assert not sentences[0].heading


def test_punctuated_line_and_line_inside_a_paragraph_are_not_headings() -> None:
    assert not only("A short line with a period.").heading
    sentences = segment("Short first line\nThe rest of the paragraph follows here.")
    assert len(sentences) == 2
    assert not any(s.heading for s in sentences), "a line that is not a paragraph of its own is no heading"


# -- odd input ----------------------------------------------------------------------------------


def test_crlf_text_keeps_exact_offsets() -> None:
    text = "First line here.\r\nSecond line here.\r\n\r\nThird para here."
    sentences = checked(text)
    assert [text[s.start : s.end] for s in sentences] == ["First line here.", "Second line here.", "Third para here."]
    assert [s.paragraph for s in sentences] == [0, 0, 1]


def test_crlf_hard_wrap_keeps_exact_offsets() -> None:
    text = "This is a long line that was hard wrapped by some email client at around seventy\r\ncharacters and it ends."
    s = only(text)
    assert (s.start, s.end) == (0, len(text))
    assert "seventy characters" in s.text


def test_invisible_only_text_yields_no_sentences() -> None:
    assert segment("\u200b\u200c\ufeff\u2060") == []
    assert segment("") == []
    assert segment(" \n\n\t ") == []


def test_invisible_characters_do_not_shift_offsets() -> None:
    text = "\ufeffThe first\u200b sentence is here. The second one."
    sentences = checked(text)
    assert sentences[0].text == "The first sentence is here."
    assert text[sentences[-1].start : sentences[-1].end] == "The second one."


def test_lowercased_cnn_style_text_splits_per_line() -> None:
    text = "(cnn) police arrested a man on tuesday after a chase\nthe figures were released on wednesday\n"
    sentences = checked(text)
    assert [s.text for s in sentences] == [
        "police arrested a man on tuesday after a chase",
        "the figures were released on wednesday",
    ]


def test_tokenized_lowercased_cnn_text_splits_per_line() -> None:
    text = (
        "(cnn) -- police arrested a man on tuesday night after a long chase through the city , officials said .\n"
        "the figures were released by the department on wednesday morning in a brief statement .\n"
        "officials said more arrests were expected in the coming days as the investigation continues\n"
    )
    sentences = checked(text)
    assert len(sentences) == 3
    assert sentences[0].text.startswith("police arrested") and sentences[0].start == 0
    assert [s.text.split()[0] for s in sentences[1:]] == ["the", "officials"]


# -- the seed article ---------------------------------------------------------------------------


def test_seed_article(seed_text: str) -> None:
    sentences = segment(seed_text)
    check_invariants(seed_text, sentences)
    assert sentences[0].text.startswith("The leaders of China")
    assert "date" not in sentences[0].text and "2024" not in sentences[0].text
    for s in sentences:
        assert seed_text[s.start : s.end].strip() == seed_text[s.start : s.end]
    why = seed_text.index("Why It Matters:")
    after = [s for s in sentences if s.start >= why]
    before = [s for s in sentences if s.start < why]
    assert len(after) >= 3
    assert all(s.section == WHY_IT_MATTERS for s in after)
    assert all(s.section != WHY_IT_MATTERS for s in before)
    assert after[0].text.startswith("The recent pledge"), "the label is stripped"
    # What Happened: labels the second paragraph.
    what = next(s for s in sentences if s.start >= seed_text.index("What Happened:"))
    assert what.section == "what_happened" and what.text.startswith("Chinese President Xi Jinping")
    # "$8 billion" and "(1950-1953)." do not break sentences.
    assert any("$8 billion in military aid to Ukraine" in s.text for s in sentences)
    assert not any(s.boilerplate or s.heading for s in sentences)


def test_content_start_skips_the_leading_label_but_not_the_span() -> None:
    text = "Intro line here.\n\nWhy It Matters: The vote could reshape the market."
    labelled = segment(text)[-1]
    assert text[labelled.start : labelled.end].startswith("Why It Matters:")
    assert text[labelled.content_start : labelled.end] == labelled.text
    plain = segment(text)[0]
    assert plain.content_start == plain.start


def test_segmentation_is_thread_safe() -> None:
    """The service segments concurrent requests on pool threads; a shared pysbd instance mixed their texts."""
    from concurrent.futures import ThreadPoolExecutor

    texts = [
        f"Article {n} begins here. The council met on day {n} to vote. Officials said the plan costs {n} million. "
        f"Critics in district {n} objected strongly. The vote is set for week {n}." * 3
        for n in range(16)
    ]
    expected = [[(s.start, s.end) for s in segment(t)] for t in texts]
    with ThreadPoolExecutor(8) as pool:
        for _ in range(5):
            got = list(pool.map(lambda t: [(s.start, s.end) for s in segment(t)], texts))
            assert got == expected


def test_a_run_of_quotes_is_cut_at_its_sentence_ends() -> None:
    quote = "‘We worked so hard this season and the players deserve every bit of credit for it.’ "
    text = "The manager spoke after the match. " + quote * 9 + "He then left."
    sentences = segment(text)
    quoted = [s for s in sentences if s.text.startswith("‘")]
    assert len(quoted) >= 3, [s.text for s in sentences]  # pysbd alone keeps the run as one "sentence"
    assert all(s.text.endswith(".’") for s in quoted), [s.text for s in quoted]
    assert not any(s.pseudo for s in sentences)  # cut at the author's sentence ends: real sentences
    assert all(" ".join(text[s.content_start : s.end].split()) == s.text for s in sentences)


# A DailyMail-style page: captions without end punctuation run into each other and into the body.
CAPTION_RUN = (
    "Arrowheads and ancient earth mounds have been found near the old fort, but it also has a more recent "
    "concrete arrow (left) A beacon has survived in good condition in New Mexico (left) and at Cottage Grove in "
    "Oregon (right) Restored: The arrow near the airfield was repainted by volunteers last spring "
    "The giant arrows were placed across the country in the 1920s to guide pilots flying the mail at night, and "
    "many of them were lost when the metal was needed in the war."
)


def test_a_caption_run_is_cut_where_sentences_visibly_start() -> None:
    sentences = segment(CAPTION_RUN)
    starts = [s.text.split()[0] for s in sentences]
    assert starts == ["Arrowheads", "A", "Restored:", "The"], [s.text for s in sentences]
    assert all(" ".join(CAPTION_RUN[s.content_start : s.end].split()) == s.text for s in sentences)


def test_captions_cut_from_a_run_are_boilerplate_and_the_body_is_not() -> None:
    sentences = segment(CAPTION_RUN)
    assert [s.boilerplate for s in sentences] == [True, True, True, False]


def test_short_text_and_speech_are_not_cut_as_captions() -> None:
    said = (
        "The cruise ship could not enter the harbour for 48 hours as the storm hit the coast and the waves "
        "rose while the owner of the line Carnival in a statement said: 'Guests and crew are safe and the "
        "ship will sail on once the weather allows, and we thank everyone on board for their patience during "
        "this very difficult and long delay, which nobody on the ship or on the shore had expected.'"
    )
    assert len(said) > 350
    assert "rose while the owner of the line Carnival in a statement said: 'Guests" in segment(said)[0].text
    short = "He watched the film The Hunger Games twice on Sunday."
    assert [s.text for s in segment(short)] == [short]


def test_scroll_down_for_video_moves_start_and_keeps_the_sentence() -> None:
    text = "Scroll down for video A young woman was rescued from the river on Sunday after a long search."
    (sentence,) = segment(text)
    assert sentence.text.startswith("A young woman") and not sentence.boilerplate
    assert text[sentence.start : sentence.content_start].strip() == "Scroll down for video"


# Caption and body glued in a span under RUN_SPLIT_CHARS (dev-file shapes).
def test_a_short_span_with_a_photo_caption_is_cut_and_the_caption_flagged() -> None:
    text = (
        "His story was the subject of a 1956 film starring Kenneth More (pictured) A series of makeshift "
        "ladders were made from wood plundered from a wrecked hut."
    )
    assert len(text) < 350
    sentences = checked(text)
    assert [(s.text, s.boilerplate) for s in sentences] == [
        ("His story was the subject of a 1956 film starring Kenneth More (pictured)", True),
        ("A series of makeshift ladders were made from wood plundered from a wrecked hut.", False),
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_short_labelled_captions_are_cut_from_the_body() -> None:
    text = (
        "Aftermath: The trailer was found 30 metres away from the main vehicle Poignant: Vegetables he sold at "
        "the market were found in the trailer He added that those using the road were doing so illegally."
    )
    sentences = checked(text)
    assert [s.boilerplate for s in sentences] == [True, True, False]
    assert sentences[-1].text == "He added that those using the road were doing so illegally."


def test_a_caption_with_a_five_word_label_is_cut_from_the_body() -> None:
    text = "Giant security gap at airports: Lack of criminal background checks The TSA called the incident deplorable."
    sentences = checked(text)
    assert [(s.text, s.boilerplate) for s in sentences] == [
        ("Giant security gap at airports: Lack of criminal background checks", True),
        ("The TSA called the incident deplorable.", False),
    ]
    # Without the caption's missing end the label alone decides nothing: a body sentence stays whole.
    body = "Giant security gap at airports: officials told The Times the checks were lacking."
    assert [s.text for s in checked(body)] == [body]


def test_scroll_down_and_a_caption_glued_to_the_body_are_cut_from_it() -> None:
    text = (
        "Scroll down for video Last week she was barely showing - but Demelza is now the proud mother to the "
        "show's latest addition He may have married his kitchen maid out of duty, but he loves her."
    )
    sentences = checked(text)
    assert [s.boilerplate for s in sentences] == [True, False]
    assert sentences[1].text == "He may have married his kitchen maid out of duty, but he loves her."


def test_short_spans_without_a_caption_are_not_cut() -> None:
    for text in [
        "He told Racemail: ‘I have a kind invitation from the chairman to attend any home game this season.’",
        "The teenager then texted Barnes: 'She threatened to throw me out of the house,' the affidavit said.",
        "The research, carried out by Leeds University and reported in The Times, shows the population will rise.",
        "The film Fall of an Empire: The Story of Katherine is available in cinemas and on DVD from today.",
    ]:
        (sentence,) = segment(text)
        assert sentence.text == text and not sentence.boilerplate


def test_a_labelled_caption_opening_the_article_is_not_its_first_sentence() -> None:
    text = (
        "Fighter ace: Douglas Bader's story is to be told in a Hollywood film dubbed ‘The First Great Escape’ "
        "The story of how Douglas Bader recovered from losing both legs is remarkable enough. But now another "
        "chapter of his war is to be told."
    )
    sentences = checked(text)
    assert [s.boilerplate for s in sentences] == [True, False, False]
    assert sentences[1].text.startswith("The story of how")


def test_a_labelled_caption_standing_as_a_sentence_is_flagged() -> None:
    text = (
        "ESPN said the reporter broke its rules. Suspended: Britt McHenry has been suspended for one week for the "
        "rant\n\nShine on: maticevski (left) and johanna johnson (right) wowed with metallic golds.\n\n"
        "Breakthrough: Scientists found the cause of the outbreak on Monday."
    )
    sentences = checked(text)
    assert [s.boilerplate for s in sentences] == [False, True, True, False]


def test_labelled_list_items_and_section_labels_are_not_captions() -> None:
    text = "Key results:\n- Revenue: up 5% on the year\n- Costs: flat\n\nWhy it matters: it raises taxes for most"
    sentences = checked(text)
    assert not any(s.boilerplate for s in sentences), [s.text for s in sentences]


def test_a_run_is_not_cut_after_a_word_no_sentence_ends_on() -> None:
    text = (
        "The research, carried out by Leeds University over three years and reported in The Times, shows that the "
        "population will rise by fourteen million people over the next forty years as families grow and people "
        "live longer The authors said the rise would put pressure on housing, schools and hospitals in every "
        "region of the country, and that planners should start preparing for it now."
    )
    assert len(text) > 350
    assert [s.text.split()[0] for s in segment(text)] == ["The", "The"]  # cut before "The authors", not "The Times"


# A span glued without a period: a heading or a line without end punctuation runs into the next sentence.
def test_a_clear_sentence_start_after_an_unpunctuated_word_is_cut() -> None:
    text = (
        "Scroll down for video Bosses have been warned to expect a rise in employees calling in sick due to the "
        "lack of an Anzac Day public holiday But the rules do not apply to everyone, it seems."
    )
    sentences = checked(text)
    assert [(s.text, s.boilerplate) for s in sentences] == [
        (
            "Bosses have been warned to expect a rise in employees calling in sick due to the lack of an Anzac Day "
            "public holiday",
            False,  # a leading "Scroll down for video" does not make the piece a caption
        ),
        ("But the rules do not apply to everyone, it seems.", False),
    ]
    assert text[sentences[1].start : sentences[1].end] == sentences[1].text


def test_a_clear_sentence_start_after_a_line_without_end_punctuation_is_cut() -> None:
    text = (
        "The council met on Monday to talk about the plans for the new bridge over the river\n"
        "It will decide on the money next month.\n\nHowever, the work could start sooner."
    )
    assert texts(text) == [
        "The council met on Monday to talk about the plans for the new bridge over the river",
        "It will decide on the money next month.",
        "However, the work could start sooner.",
    ]


def test_a_caption_ending_on_a_lower_case_word_is_cut_before_and() -> None:
    text = (
        "Falcao has struggled to reach the heights he achieved before suffering a serious knee injury "
        "And Dirar has revealed that Falcao was not happy in France before his loan move."
    )
    assert texts(text) == [
        "Falcao has struggled to reach the heights he achieved before suffering a serious knee injury",
        "And Dirar has revealed that Falcao was not happy in France before his loan move.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Mr Buckingham told The Times he was disappointed and said The Guardian had got the story wrong.",
        "She starred in Lost In Translation and later appeared in Her with Joaquin Phoenix.",
        "The festival opens with the French film The 10th District Court, made by Raymond Depardon.",
        "A video titled 'Until It Came To Them' showed dozens of men kneeling on a beach.",
        "The school said grade A pupils and those who do better than expected will get a prize.",
        "He said he thought about it and I think that he is right about the plan for next year.",
        "Kick-off in the game against Leeds was delayed by It's A Knockout, a charity show on the pitch.",
        "She starred in Pride And Prejudice and then in Sense And Sensibility for the same studio.",
    ],
)
def test_names_titles_and_uncertain_starts_are_not_cut(text: str) -> None:
    assert texts(text) == [text]


# A caption saying where its photo sits, glued to a body sentence, the span ending with the body's period.
@pytest.mark.parametrize(
    ("caption", "body"),
    [
        (
            "Close ties: Soumbadze has been affiliated with the karate studio (pictured) since he was a young child "
            "and took classes there as a martial arts student",
            "Two days after Soumbadze was questioned by police, he fled the country.",
        ),
        (
            "Space lasers: Dr Adrian Quarterman says the beams will be nowhere near as powerful as in films like "
            "Star Wars (pictured)",
            "Dr Adrian Quarterman, of Dundee University, is working on a laser which will convert sun beams.",
        ),
        (
            "Home: Martin shot Hampton at their home on Beaty Street in Fort Worth, Texas, pictured here,",
            "He added that she had been shot and that he had shot himself after he shot her.",
        ),
        (
            "Theft: The brand new 2015 Ford Fusion (above) had been stolen from her driveway Monday",
            "Racer: She took to Facebook after getting the car back to thank the thieves.",
        ),
    ],
)
def test_a_caption_with_a_photo_marker_is_cut_from_the_body_glued_to_it(caption: str, body: str) -> None:
    text = f"The police said the case was closed. {caption} {body}"
    sentences = checked(text)
    assert [(s.text, s.boilerplate) for s in sentences] == [
        ("The police said the case was closed.", False),
        (caption, True),
        (body, False),  # the body keeps its own offsets and is eligible again
    ]
    assert text[sentences[2].start : sentences[2].end] == body


def test_a_caption_with_a_photo_marker_and_a_name_after_it_stays_whole() -> None:
    for text in [
        "Proud: Jones (left) with her husband Mark Smith at the premiere of his new film in London last night.",
        "Blasted: Judge Cooke (left) criticised his colleague Recorder Stuart Trimmer (right) for his sentence.",
    ]:
        (sentence,) = checked(text)
        assert sentence.boilerplate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "भारत एक विशाल देश है। यहाँ कई भाषाएँ बोली जाती हैं। दिल्ली इसकी राजधानी है।",
            ["भारत एक विशाल देश है।", "यहाँ कई भाषाएँ बोली जाती हैं।", "दिल्ली इसकी राजधानी है।"],
        ),
        ('"यह सच है।" उसने कहा।', ['"यह सच है।"', "उसने कहा।"]),  # the stop inside the quote ends it
        ("یہ ایک جملہ ہے۔ یہ دوسرا جملہ ہے۔", ["یہ ایک جملہ ہے۔", "یہ دوسرا جملہ ہے۔"]),  # Urdu
    ],
)
def test_full_stops_of_other_scripts_end_sentences(text: str, expected: list[str]) -> None:
    assert texts(text) == expected
    assert all(text[s.start : s.end] == s.text for s in segment(text))


def test_words_keep_their_combining_marks() -> None:
    assert count_words("यहाँ कई भाषाएँ बोली जाती हैं।") == 6  # vowel signs are no word breaks
    assert count_words("cafe\u0301 au lait") == 3  # an accent typed as a combining character
    assert count_words("It's a well-known U.S. fact.") == 5
