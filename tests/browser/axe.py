"""The accessibility scan: the vendored axe-core injected into the page, run for WCAG 2.2 AA."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page

from tests.browser.conftest import AXE, ERNSTIG, WCAG_TAGS

_RUN = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 300), samenvatting: n.failureSummary})),
  }));
}"""


async def scan(pagina: Page) -> list[dict[str, Any]]:
    """The serious and critical violations on the page as it is now. The page's context must bypass the
    CSP (`bypass_csp=True`): axe goes in as an inline script, which the werkplek's CSP rightly refuses."""
    await pagina.add_script_tag(path=str(AXE))
    schendingen = await pagina.evaluate(_RUN, WCAG_TAGS)
    return [s for s in schendingen if s["impact"] in ERNSTIG]


def beschrijf(per_pagina: dict[str, list[dict[str, Any]]]) -> str:
    regels = []
    for naam, schendingen in per_pagina.items():
        for s in schendingen:
            regels.append(f"{naam}: [{s['impact']}] {s['id']}: {s['help']} ({s['helpUrl']})")
            for knoop in s["nodes"][:5]:
                regels.append(f"    {knoop['target']}: {knoop['html']}")
                regels.append(f"      {(knoop['samenvatting'] or '').replace(chr(10), ' / ')}")
    return "\n".join(regels)
