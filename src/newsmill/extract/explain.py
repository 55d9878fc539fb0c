"""Why extraction chose the block it chose: `newsmill extract --explain`.

The same steps as `extract_page` up to the choice of the article block, keeping
every scored candidate, so a user can see (and paste in a report) which blocks
competed, how far each sits from the headline, and what marked it down.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsmill.clean import RuleBook
from newsmill.extract.content import Candidate, short_path
from newsmill.extract.page import choose_block, prepare_page


@dataclass
class Explanation:
    """Why extraction chose the block it chose (`newsmill extract --explain`)."""

    url: str
    title: str
    headline: str | None  # the headline element's short path, None if none was found
    site_rule: str | None  # the site rule's selector that chose the block, if one did
    chosen: list[str]  # short paths of the chosen element(s)
    candidates: list[Candidate]  # best first
    # Ranks (from 0) of the candidates that are chosen elements: twins share a path.
    chosen_ranks: frozenset[int] = frozenset()

    def report(self, limit: int = 10) -> str:
        """The headline, the chosen block and the candidates best first, as lines."""
        lines = [
            f"  url:      {self.url}",
            f"  title:    {self.title}",
            f"  headline: {self.headline or '(none found: no distance scoring)'}",
        ]
        if self.site_rule:
            lines.append(f"  site rule chose: {self.site_rule} (the scores below were not used)")
        lines.append(f"  chosen:   {' + '.join(self.chosen)}")
        lines.append(
            f"  {'rank':>4} {'score':>7} {'votes':>6} {'text':>6} {'links':>5} {'dist':>6}"
            "  block [markers]"
        )
        for rank, c in enumerate(self.candidates[:limit], 1):
            star = "*" if rank - 1 in self.chosen_ranks else " "
            distance = "-" if c.distance is None else str(c.distance)
            markers = f" [{', '.join(c.markers)}]" if c.markers else ""
            lines.append(
                f"{star} {rank:>4} {c.score:7.1f} {c.votes:6.1f} {c.text:6d} {c.link_density:5.2f}"
                f" {distance:>6}  {c.path}{markers}"
            )
        if len(self.candidates) > limit:
            lines.append(f"  ... {len(self.candidates) - limit} more")
        lines.append(
            "  score = votes x (1 - links) / (1 + dist/1800), x0.25 with markers,"
            " x text/180 under 180; text and dist in weight units (a CJK character weighs 3)"
        )
        return "\n".join(lines) + "\n"


def explain_page(
    document: bytes | str,
    url: str,
    *,
    content_type: str = "",
    encoding: str | None = None,
    rules: RuleBook | None = None,
) -> Explanation:
    """The candidate blocks of a page, scored as `extract_page` scores them."""
    page = prepare_page(document, url, content_type, encoding, rules)
    block = choose_block(page, score_anyway=True)
    chosen = [short_path(node) for node in block.nodes]
    return Explanation(
        url=page.url,
        title=page.meta.title,
        headline=short_path(block.headline) if block.headline is not None else None,
        site_rule=chosen[0] if block.by_rule else None,
        chosen=chosen,
        candidates=block.candidates,
        chosen_ranks=frozenset(
            rank
            for rank, candidate in enumerate(block.candidates)
            if any(candidate.element is node for node in block.nodes)
        ),
    )
