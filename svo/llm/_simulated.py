"""A chat-model stand-in that answers the slider prompts like an ideal type (no model)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from _common.validation import check_choice, check_probability

from .._errors import SVOError
from .._items import CATEGORIES
from ._prompts import _PARSE, Progress


class SimulatedRespondent:
    """A chat-model stand-in that answers SVO prompts like an ideal type: a baseline.

    It reads the allocations from the prompt (lines ``Option X: you receive S, the other person
    receives O``, as written by :func:`item_prompt`) and gives each offered letter a
    log-probability: ``(1 - noise)`` on the allocation its kind prefers plus ``noise`` spread
    evenly over all listed options (a "trembling hand"). Run through :func:`evaluate`, it shows
    what a perfectly consistent respondent of a given type scores under the same prompts,
    orders and aggregation as a model, and ``kind="random"`` / ``kind="first"`` show what pure
    chance and pure position bias look like. The persona instruction is ignored.

    Parameters
    ----------
    kind : str
        ``"altruistic"`` (most for the other), ``"prosocial"`` (smallest ``|self - other|``),
        ``"individualistic"`` (most for self; ties toward less for the other, as the ideal
        individualist on item 1), ``"competitive"`` (largest ``self - other``), ``"random"``
        (every listed option equally likely) or ``"first"`` (always the first option listed,
        whatever it is).
    noise : float
        The probability, in [0, 1], of answering uniformly at random instead.

    Attributes
    ----------
    model_id : str
        ``"simulated:<kind>"`` (``"simulated:<kind>:noise=<noise>"`` with noise).
    scoring_method : str
        ``"simulated"``.

    Notes
    -----
    A prompt that lists no allocation gets ``-inf`` for every option: an invalid answer, like
    an HTTP back-end whose constrained reply matches no option.

    References
    ----------
    .. [1] R. O. Murphy, K. A. Ackermann, M. J. J. Handgraaf, 'Measuring social value
       orientation', Judgment and Decision Making 6(8), 771–781 (2011), §2 (ideal types).

    Examples
    --------
    >>> from svo.llm import LETTERS, item_prompt
    >>> respondent = SimulatedRespondent("competitive")
    >>> scores = respondent.option_scores(item_prompt(1), list(LETTERS))
    >>> LETTERS[int(np.argmax(scores))]       # option I of item 1 is (85, 15)
    'I'
    >>> np.exp(SimulatedRespondent("random").option_scores(item_prompt(1), ["A", "B"])).round(3)
    array([0.111, 0.111])
    """

    KINDS: tuple[str, ...] = (*CATEGORIES, "random", "first")
    scoring_method = "simulated"

    def __init__(self, kind: str, noise: float = 0.0) -> None:
        check_choice(kind, "kind", "SimulatedRespondent", self.KINDS, error=SVOError)
        self.kind = kind
        self.noise = check_probability(noise, "noise", "SimulatedRespondent", error=SVOError)
        self.model_id = f"simulated:{kind}" + (f":noise={self.noise:g}" if self.noise else "")

    def _preferred(self, payoffs: NDArray[np.float64]) -> NDArray[np.float64]:
        """Probabilities over the listed allocations ``(k, 2)`` of the noiseless respondent."""
        s, o = payoffs[:, 0], payoffs[:, 1]
        keys = {
            "altruistic": (o,),
            "prosocial": (-np.abs(s - o),),
            "individualistic": (s, -o),
            "competitive": (s - o,),
        }
        if self.kind == "random":
            return np.full(len(payoffs), 1.0 / len(payoffs))
        if self.kind == "first":
            return np.eye(len(payoffs))[0]
        best = np.ones(len(payoffs), dtype=bool)
        for key in keys[self.kind]:  # lexicographic: later keys break ties of earlier ones
            best &= key == key[best].max()
        return best / best.sum()

    def option_scores(self, prompt: Any, options: Sequence[str]) -> NDArray[np.float64]:
        """Log-probabilities of ``options`` (labels such as ``"A"``) for one prompt."""
        return self.option_scores_batch([prompt], options)[0]

    def option_scores_batch(
        self, prompts: Sequence[Any], options: Sequence[str], *, progress: Progress | None = None
    ) -> NDArray[np.float64]:
        """Log-probabilities ``(len(prompts), len(options))``; see the class docstring.

        ``prompts`` are strings or lists of ``{"role", "content"}`` messages (the last user
        message is read); ``progress(done, total)`` is called once at the end.
        """
        keys = [str(o).strip().casefold() for o in options]
        out = np.full((len(prompts), len(keys)), -np.inf)
        for row, prompt in enumerate(prompts):
            listed = _PARSE.findall(_user_text(prompt))
            if not listed:
                continue  # nothing to choose from: an invalid answer
            labels = [label.casefold() for label, _, _ in listed]
            payoffs = np.array([[float(a), float(b)] for _, a, b in listed])
            p = (1.0 - self.noise) * self._preferred(payoffs) + self.noise / len(listed)
            with np.errstate(divide="ignore"):
                logp = np.log(p)
            for j, key in enumerate(keys):
                if key in labels:
                    out[row, j] = logp[labels.index(key)]
        if progress is not None:
            progress(len(prompts), len(prompts))
        return out

    def __repr__(self) -> str:
        noise = f", noise={self.noise:g}" if self.noise else ""
        return f"SimulatedRespondent({self.kind!r}{noise})"


def _user_text(prompt: Any) -> str:
    if isinstance(prompt, str):
        return prompt
    users = [
        m.get("content", "") for m in prompt if isinstance(m, Mapping) and m.get("role") == "user"
    ]
    return str(users[-1]) if users else ""
