"""Generation recipes per model family, from the published checkpoints, and how inputs are framed.

The lengths are for CNN/DailyMail-style highlights (about three sentences); the seq2seq module
scales them to the request. A checkpoint's own published values (its generation config or
``task_specific_params``) override the family's.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from transformers import PreTrainedModel

Task = Literal["summary", "chunk", "bullet"]


@dataclass(frozen=True)
class Recipe:
    """Beam-search settings for a ~3-sentence news summary, plus how the input is framed."""

    num_beams: int = 4
    length_penalty: float = 1.0
    min_new_tokens: int = 16
    max_new_tokens: int = 142
    no_repeat_ngram_size: int = 3
    prefix: str = ""  # T5 was trained with "summarize: " before the article
    instruct: bool = False  # instruction-tuned (FLAN-T5): the input is a prompt


# Published recipes: facebook/bart-large-cnn's generation config (DistilBART-CNN uses the same),
# google/pegasus-cnn_dailymail's, and T5's task_specific_params["summarization"].
FAMILY_RECIPES = {
    "bart": Recipe(num_beams=4, length_penalty=2.0, min_new_tokens=56, max_new_tokens=142, no_repeat_ngram_size=3),
    "pegasus": Recipe(num_beams=8, length_penalty=0.8, min_new_tokens=32, max_new_tokens=128, no_repeat_ngram_size=0),
    "t5": Recipe(
        num_beams=4,
        length_penalty=2.0,
        min_new_tokens=30,
        max_new_tokens=200,
        no_repeat_ngram_size=3,
        prefix="summarize: ",
    ),
}
FAMILIES = {"bart": "bart", "mbart": "bart", "led": "bart", "pegasus": "pegasus", "pegasus_x": "pegasus"}
FAMILIES |= {"t5": "t5", "mt5": "t5", "umt5": "t5", "longt5": "t5"}
INSTRUCT_NAME = re.compile(r"flan|instruct|(^|[/_-])t0", re.IGNORECASE)
RECIPE_SENTENCES = 3  # the recipes' lengths are for CNN/DailyMail highlights: about three sentences
INSTRUCTIONS = {
    "summary": "Summarize the following news article in {n} sentences.\n\n",
    "chunk": "Summarize the following part of a news article in a few sentences.\n\n",
    "bullet": "Explain in one short sentence why the following matters.\n\n",
}


def recipe_for(model_type: str, name: str, published: dict, prompt_style: str = "auto") -> Recipe:
    """Family recipe, overridden by what the checkpoint publishes (its generation config or task params)."""
    recipe = FAMILY_RECIPES.get(FAMILIES.get(model_type, ""), Recipe())
    updates: dict = {k: published[k] for k in ("num_beams", "length_penalty", "no_repeat_ngram_size") if k in published}
    # Published min/max_length count the decoder start token; new tokens do not.
    if "max_length" in published:
        updates["max_new_tokens"] = max(int(published["max_length"]) - 1, 8)
    if "min_length" in published:
        updates["min_new_tokens"] = max(int(published["min_length"]) - 1, 0)
    if "prefix" in published:
        updates["prefix"] = str(published["prefix"])
    instruct = prompt_style == "instruct" or (prompt_style == "auto" and bool(INSTRUCT_NAME.search(name)))
    if instruct:
        updates |= {"instruct": True, "prefix": ""}
    elif prompt_style == "none":
        updates["prefix"] = ""
    elif prompt_style == "prefix" and not updates.get("prefix", recipe.prefix):
        updates["prefix"] = "summarize: "
    return dataclasses.replace(recipe, **updates)


def published_recipe(model: PreTrainedModel) -> dict:
    """Generation values the checkpoint's authors set: task_specific_params, then generation_config.json."""
    keys = ("num_beams", "length_penalty", "min_length", "max_length", "no_repeat_ngram_size")
    task = (getattr(model.config, "task_specific_params", None) or {}).get("summarization", {})
    published = {k: v for k, v in task.items() if k in (*keys, "prefix")}
    published |= {k: v for k, v in model.generation_config.to_diff_dict().items() if k in keys}
    return published


def frame(recipe: Recipe, text: str, task: Task, sentences: int = RECIPE_SENTENCES) -> str:
    """The model input for ``text``: an instruction for instruction-tuned models, else the recipe's prefix."""
    if recipe.instruct:
        return INSTRUCTIONS[task].format(n=sentences) + text
    return recipe.prefix + text
