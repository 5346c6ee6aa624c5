"""The algorithm register in the portal, over the demo (the real 2022 register: 96 entries, 26 of
Gemeente Den Haag, and the model cards the demo's models add; tests/demo_expect.py).

A newcomer finds the Den Haag algorithms by searching or by ticking the organisation facet, opens
one and sees every filled field under the standard's own title, what the import found missing, and
its history. The data officer dora edits an entry (a new version, visible in the history with the
change and the reason); the analyst ana is refused (403) and nothing changes; a post without the
session's CSRF token is refused; a RegisterError brings the form back with everything entered.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from stadsdata.platform import DEMO_WMO, Platform
from stadsdata.register.standard import STANDARD
from stadsdata.web import i18n, register_pages
from tests.demo_expect import REGISTER, REGISTER_DEN_HAAG
from tests.web.test_governance_pages import switch_user, text_of
from tests.web.test_login import HTML, page_csrf
from tests.web.test_register_api import DEN_HAAG, KWB, valid_fields

ORG = "organization"


def nl(key: str, **values: object) -> str:
    return i18n.Translator("nl")(key, **values)


def den_haag(platform: Platform) -> list[Any]:
    return platform.algorithms.search(filters={ORG: [DEN_HAAG]}, limit=100).entries


def listed(page: str) -> list[str]:
    """The entry ids of a list page's cards, in order."""
    return re.findall(r'data-algorithm="([^"]+)"', page)


def form_data(entry_fields: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """An entry's fields as the edit form posts them."""
    data: dict[str, Any] = {}
    for name, field in STANDARD.items():
        value = changes.get(name, entry_fields.get(name))
        if field.type == "array" and field.items:
            pairs = value or []
            data[f"{name}.title"] = [p["title"] for p in pairs]
            data[f"{name}.link"] = [p["link"] for p in pairs]
        elif field.type == "array":
            data[name] = list(value or [])
        else:
            data[name] = "" if value is None else value
    data.update({k: v for k, v in changes.items() if k not in STANDARD})
    return data


def post_edit(client: TestClient, entry_id: str, data: dict[str, Any], *, csrf: str | None = None) -> Any:
    token = csrf if csrf is not None else page_csrf(client, f"/algoritmes/{entry_id}")
    return client.post(
        f"/algoritmes/{entry_id}/edit", data={**data, "csrf_token": token}, headers=HTML, follow_redirects=False
    )


# -- finding ---------------------------------------------------------------------------------------
def test_everyone_sees_the_register_in_the_menu(client: TestClient) -> None:
    home = client.get("/", headers=HTML).text
    assert f'<a href="/algoritmes">{nl("nav.algorithms")}</a>' in home
    page = client.get("/algoritmes", headers=HTML)
    assert page.status_code == 200
    assert f'<a href="/algoritmes" aria-current="page">{nl("nav.algorithms")}</a>' in page.text
    assert nl("register.results", count=str(REGISTER)) in text_of(page.text)
    assert len(listed(page.text)) == register_pages.PAGE_SIZE
    assert nl("register.new") not in page.text  # the public cannot register one


def test_the_organisation_facet_counts_and_finds_the_den_haag_entries(
    client: TestClient, demo_platform: Platform
) -> None:
    page = client.get("/algoritmes", headers=HTML).text
    link = re.search(
        rf'<a class="facet__link" href="([^"]+)" data-facet="{ORG}" data-value="{DEN_HAAG}">(.*?)</a>', page, re.S
    )
    assert link, "the organisation facet offers Gemeente Den Haag"
    assert f'<span class="count">{REGISTER_DEN_HAAG}</span>' in link.group(2)
    filtered = client.get(link.group(1).replace("&amp;", "&"), headers=HTML).text
    assert nl("register.results", count=str(REGISTER_DEN_HAAG)) in text_of(filtered)
    assert "facet__link--selected" in filtered
    ids = listed(filtered)
    second = client.get(link.group(1).replace("&amp;", "&") + "&page=2", headers=HTML).text
    ids += listed(second)
    assert sorted(ids) == sorted(str(e.id) for e in den_haag(demo_platform))


def test_searching_den_haag_finds_them_too(client: TestClient, demo_platform: Platform) -> None:
    page = client.get("/algoritmes", params={"q": "Den Haag"}, headers=HTML).text
    text = text_of(page)
    assert (
        nl("register.title.query", q="Den Haag") in text
        and nl("register.results", count=str(REGISTER_DEN_HAAG)) in text
    )
    # The search keeps the query when a facet is ticked, and the facet keeps the query.
    status = re.search(r'href="([^"]+)" data-facet="status"', page)
    assert status and "q=Den+Haag" in status.group(1)


def test_no_result_says_so(client: TestClient) -> None:
    page = client.get("/algoritmes", params={"q": "xyzzy-geen-algoritme"}, headers=HTML).text
    assert nl("register.results.none") in text_of(page)


def test_the_list_reads_in_english(client: TestClient) -> None:
    page = client.get("/algoritmes", params={"lang": "en"}, headers=HTML)
    assert page.status_code == 200 and f"{REGISTER} algorithms found" in text_of(page.text)


# -- one entry -------------------------------------------------------------------------------------
def test_an_entry_shows_every_filled_field_under_the_standards_title(
    client: TestClient, demo_platform: Platform
) -> None:
    entry = max(den_haag(demo_platform), key=lambda e: sum(1 for v in e.fields.values() if v))
    page = client.get(f"/algoritmes/{entry.id}", headers=HTML)
    assert page.status_code == 200
    shown = re.findall(
        r'<div class="algo-field algo-field--(\w+)" data-field="(\w+)">\s*<dt lang="nl">([^<]+)</dt>', page.text
    )
    assert [name for _, name, _ in shown] == list(STANDARD)  # every field, in the standard's order
    assert all(title == STANDARD[name].title for _, name, title in shown)
    filled = {name for name, value in entry.fields.items() if value not in (None, "", [])}
    assert {name for kind, name, _ in shown if kind != "empty"} == filled & set(STANDARD)
    text = text_of(page.text)
    assert entry.name in text and DEN_HAAG in text


def test_an_imported_entry_says_what_is_missing(client: TestClient, demo_platform: Platform) -> None:
    entry = next(e for e in den_haag(demo_platform) if any(p.field == "publication_category" for p in e.problems))
    page = client.get(f"/algoritmes/{entry.id}", headers=HTML).text
    notice = re.search(r'id="algorithm-problems".*?</div>', page, re.S)
    assert notice
    assert "ontbreekt:" in text_of(notice.group(0)) and "Publicatiecategorie" in text_of(notice.group(0))


def test_broken_characters_are_named_per_field(client: TestClient, demo_platform: Platform) -> None:
    broken = [
        e for e in demo_platform.algorithms.search(limit=500).entries if any("U+FFFD" in p.message for p in e.problems)
    ]
    if not broken:
        pytest.skip("the demo register has no entry with broken characters")
    entry = broken[0]
    field = next(p.field for p in entry.problems if "U+FFFD" in p.message)
    page = client.get(f"/algoritmes/{entry.id}", headers=HTML).text
    title = STANDARD[re.match(r"[a-z_]*", field).group(0)].title  # type: ignore[union-attr]
    assert "tekens onleesbaar in: " in text_of(page) and title in text_of(page)


def test_an_unknown_entry_is_the_404_page(client: TestClient) -> None:
    response = client.get("/algoritmes/no-such-entry", headers=HTML)
    assert response.status_code == 404 and "<html" in response.text


def test_the_public_sees_linked_datasets_only_as_far_as_it_may(client: TestClient, demo_platform: Platform) -> None:
    dora = demo_platform.identity.actor_for("dora")
    entry = demo_platform.algorithms.create(dora, valid_fields(), datasets=[KWB, DEMO_WMO], source="portal")
    page = client.get(f"/algoritmes/{entry.id}", headers=HTML).text
    assert f'href="/datasets/{KWB}"' in page
    demo_platform.algorithms.update(dora, entry.id, {}, reason="Alleen het register.", datasets=[DEMO_WMO])
    page = client.get(f"/algoritmes/{entry.id}", headers=HTML).text
    assert DEMO_WMO not in page  # neither in the links nor in the history
    assert "En 1 dataset die niet openbaar is." in text_of(page)
    switch_user(client, "dora")
    page = client.get(f"/algoritmes/{entry.id}", headers=HTML).text
    assert f'href="/datasets/{DEMO_WMO}"' in page and f"{KWB}; {DEMO_WMO}" in text_of(page)


def test_the_dataset_page_helper_lists_the_algorithms_that_use_it(client: TestClient, demo_platform: Platform) -> None:
    dora = demo_platform.identity.actor_for("dora")
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(platform=demo_platform)))
    before = [e.id for e in register_pages.algorithms_for_dataset(request, KWB)]  # type: ignore[arg-type]
    assert "gemeente-den-haag-wmo-prognose-per-wijk" in before  # the demo's Wmo model card reads the KWB
    entry = demo_platform.algorithms.create(dora, valid_fields(), datasets=[KWB], source="portal")
    after = [e.id for e in register_pages.algorithms_for_dataset(request, KWB)]  # type: ignore[arg-type]
    assert sorted(after) == sorted([*before, entry.id])
    templates = client.app.state.portal_templates  # type: ignore[attr-defined]
    html = templates.get_template("_algorithms_for_dataset.html").render(
        request=request,
        view=SimpleNamespace(record=SimpleNamespace(id=KWB)),
        t=i18n.Translator("nl"),
        algorithms_for_dataset=register_pages.algorithms_for_dataset,
    )
    assert nl("dataset.algorithms") in html and f'href="/algoritmes/{entry.id}"' in html
    none = templates.get_template("_algorithms_for_dataset.html").render(
        request=request,
        view=SimpleNamespace(record=SimpleNamespace(id="cbs_kwb_2019_gemeenten")),
        t=i18n.Translator("nl"),
    )
    assert nl("dataset.algorithms.none") in none


def test_the_dataset_page_lists_the_algorithms_that_use_it(client: TestClient, demo_platform: Platform) -> None:
    dora = demo_platform.identity.actor_for("dora")
    entry = demo_platform.algorithms.create(dora, valid_fields(), datasets=[KWB], source="portal")
    page = client.get(f"/datasets/{KWB}", headers=HTML)
    assert page.status_code == 200
    section = page.text.split('<section id="algorithms"', 1)[1].split("</section>", 1)[0]
    assert f'href="/algoritmes/{entry.id}"' in section and entry.fields["name"] in text_of(section)
    assert '<a href="#algorithms">' in page.text
    other = client.get("/datasets/cbs_kwb_2019_gemeenten", headers=HTML).text
    assert nl("dataset.algorithms.none") in text_of(other.split('<section id="algorithms"', 1)[1])


# -- editing ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/algoritmes/new", "/algoritmes/{id}/edit"])
def test_anonymous_visitors_are_sent_to_the_login(client: TestClient, demo_platform: Platform, path: str) -> None:
    path = path.format(id=den_haag(demo_platform)[0].id)
    response = client.get(path, headers=HTML, follow_redirects=False)
    assert response.status_code == 303
    assert parse_qs(urlsplit(response.headers["location"]).query)["next"] == [path]


def test_the_edit_form_has_one_field_per_v1_field_with_its_help(client: TestClient, demo_platform: Platform) -> None:
    entry = den_haag(demo_platform)[0]
    switch_user(client, "dora")
    detail = client.get(f"/algoritmes/{entry.id}", headers=HTML).text
    assert f'href="/algoritmes/{entry.id}/edit"' in detail
    page = client.get(f"/algoritmes/{entry.id}/edit", headers=HTML)
    assert page.status_code == 200
    form = page.text
    for name, field in STANDARD.items():
        assert f'data-field="{name}"' in form
        assert f">{field.title}" in form
        if field.help_text:
            assert field.help_text.replace("'", "&#39;").replace('"', "&#34;") in form
        if field.type == "enum":
            assert f'<select id="f-{name}" name="{name}"' in form
    assert form.count('type="checkbox" id="f-category-') == len(STANDARD["category"].permitted_values or [])
    assert 'name="lawful_basis_grouping.title"' in form and 'name="lawful_basis_grouping.link"' in form
    assert '<details class="algo-instructions">' in form
    assert 'name="reason"' in form and 'name="datasets" multiple' in form
    assert f'value="{entry.fields["name"]}"' in form or entry.fields["name"].replace("'", "&#39;") in form


def test_dora_edits_a_field_and_the_history_shows_who_when_what_and_why(
    client: TestClient, demo_platform: Platform
) -> None:
    entry = den_haag(demo_platform)[0]
    switch_user(client, "dora")
    changed = "Dit algoritme is in de test herschreven: korter en duidelijker."
    data = form_data(
        entry.fields,
        description_short=changed,
        publication_category="Impactvolle algoritmes",
        reason="Omschrijving op B1-niveau gebracht.",
        datasets=[KWB],
    )
    response = post_edit(client, str(entry.id), data)
    assert response.status_code == 303, text_of(response.text)[:800]
    assert response.headers["location"] == f"/algoritmes/{entry.id}?done=saved#history"
    stored = demo_platform.algorithms.get(entry.id)
    assert stored.version == entry.version + 1 and stored.fields["description_short"] == changed
    assert stored.datasets == [KWB]

    page = client.get(f"/algoritmes/{entry.id}?done=saved", headers=HTML).text
    assert nl("algorithm.done.saved") in page
    history = re.search(r'<section id="history".*?</section>', page, re.S)
    assert history
    newest = re.search(
        rf'<li class="algo-version" data-version="{stored.version}">.*?</li>\s*(?=<li class="algo-version"|</ol>)',
        history.group(0),
        re.S,
    )
    assert newest
    text = text_of(newest.group(0))
    assert "door dora" in text and "Omschrijving op B1-niveau gebracht." in text
    row = re.search(r'<tr data-field="description_short">.*?</tr>', newest.group(0), re.S)
    assert row and STANDARD["description_short"].title in text_of(row.group(0))
    assert changed in text_of(row.group(0))
    assert entry.fields["description_short"][:40] in text_of(row.group(0))
    assert f'href="/datasets/{KWB}"' in page


def test_dora_registers_a_new_algorithm(client: TestClient, demo_platform: Platform) -> None:
    switch_user(client, "dora")
    page = client.get("/algoritmes", headers=HTML).text
    assert 'href="/algoritmes/new"' in page
    form = client.get("/algoritmes/new", headers=HTML)
    assert form.status_code == 200
    data = form_data(valid_fields(), reason="Nieuw in gebruik genomen.")
    data["csrf_token"] = page_csrf(client, "/algoritmes/new")
    response = client.post("/algoritmes/new", data=data, headers=HTML, follow_redirects=False)
    assert response.status_code == 303, text_of(response.text)[:800]
    match = re.fullmatch(r"/algoritmes/([^?]+)\?done=created", response.headers["location"])
    assert match
    created = demo_platform.algorithms.get(match.group(1))
    assert {k: v for k, v in created.fields.items() if v not in ("", [], None)} == valid_fields()
    assert created.source == "portal"
    found = client.get("/algoritmes", params={"q": valid_fields()["name"]}, headers=HTML).text
    assert listed(found) == [str(created.id)]


def test_ana_may_not_edit_and_nothing_changes(client: TestClient, demo_platform: Platform) -> None:
    entry = den_haag(demo_platform)[0]
    before = (
        entry.version,
        len(demo_platform.algorithms.history(entry.id)),
        demo_platform.algorithms.search(limit=0).total,
    )
    switch_user(client, "ana")
    assert f'href="/algoritmes/{entry.id}/edit"' not in client.get(f"/algoritmes/{entry.id}", headers=HTML).text
    assert client.get(f"/algoritmes/{entry.id}/edit", headers=HTML).status_code == 403
    assert client.get("/algoritmes/new", headers=HTML).status_code == 403
    response = post_edit(client, str(entry.id), form_data(entry.fields, name="Gewijzigd door ana", reason="test"))
    assert response.status_code == 403
    data = {**form_data(valid_fields()), "csrf_token": page_csrf(client, "/algoritmes")}
    assert client.post("/algoritmes/new", data=data, headers=HTML, follow_redirects=False).status_code == 403
    after = demo_platform.algorithms.get(entry.id)
    assert (
        after.version,
        len(demo_platform.algorithms.history(entry.id)),
        demo_platform.algorithms.search(limit=0).total,
    ) == before
    assert after.fields["name"] == entry.fields["name"]


def test_a_post_without_the_csrf_token_is_refused(client: TestClient, demo_platform: Platform) -> None:
    entry = den_haag(demo_platform)[0]
    switch_user(client, "dora")
    data = form_data(entry.fields, name="Zonder token", reason="test")
    assert post_edit(client, str(entry.id), data, csrf="").status_code == 403
    assert post_edit(client, str(entry.id), data, csrf="wrong-token").status_code == 403
    new = client.post("/algoritmes/new", data=form_data(valid_fields()), headers=HTML, follow_redirects=False)
    assert new.status_code == 403
    assert demo_platform.algorithms.get(entry.id).version == entry.version
    client.cookies.clear()
    assert client.post("/algoritmes/new", data=form_data(valid_fields()), headers=HTML).status_code == 403


def test_a_register_error_keeps_everything_entered(client: TestClient, demo_platform: Platform) -> None:
    entry = den_haag(demo_platform)[0]
    switch_user(client, "dora")
    goal = 'Een doel dat bewaard moet blijven, met een <teken> & een aanhalingsteken ".'
    data = form_data(
        entry.fields,
        name="x" * 101,
        goal=goal,
        category=["Verkeer", "Werk"],
        lawful_basis_grouping=[{"title": "Wegenverkeerswet", "link": "https://wetten.overheid.nl/BWBR0006622"}],
        reason="Een reden die ook blijft staan.",
    )
    response = post_edit(client, str(entry.id), data)
    assert response.status_code == 422
    page = response.text
    assert 'role="alert"' in page and "name" in text_of(re.search(r'id="form-error".*?</div>', page, re.S).group(0))  # type: ignore[union-attr]
    assert re.search(r'<input id="f-name" name="name" type="text" value="x{101}"[^>]*aria-invalid="true"', page)
    assert "Een doel dat bewaard moet blijven, met een &lt;teken&gt; &amp; een aanhalingsteken &#34;." in page
    assert re.search(r'value="Verkeer" checked', page) and re.search(r'value="Werk" checked', page)
    assert 'value="Wegenverkeerswet"' in page and 'value="https://wetten.overheid.nl/BWBR0006622"' in page
    assert "Een reden die ook blijft staan." in page
    assert demo_platform.algorithms.get(entry.id).version == entry.version


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_register_page_renders_in_both_languages(client: TestClient, demo_platform: Platform, lang: str) -> None:
    entry = den_haag(demo_platform)[0]
    switch_user(client, "dora")
    for path in ("/algoritmes", f"/algoritmes/{entry.id}", f"/algoritmes/{entry.id}/edit", "/algoritmes/new"):
        response = client.get(path, params={"lang": lang}, headers=HTML)
        assert response.status_code == 200, path
        assert f'<html lang="{lang}">' in response.text


def test_dora_links_an_opgave_that_its_viewers_may_open_and_the_public_sees_as_a_number(
    client: TestClient, demo_platform: Platform
) -> None:
    entry = den_haag(demo_platform)[0]
    opgave = min(demo_platform.opgaven.list(), key=lambda o: o.id)
    switch_user(client, "dora")
    form = client.get(f"/algoritmes/{entry.id}/edit", headers=HTML).text
    assert 'name="opgaven"' in form and nl("algorithm_edit.opgaven.hint")[:40] in form
    bad = post_edit(client, str(entry.id), form_data(entry.fields, reason="Gekoppeld.", opgaven="1, twee"))
    assert bad.status_code == 422
    assert "opgaven: &#39;twee&#39; is not an opgave number" in bad.text and 'value="1, twee"' in bad.text
    assert demo_platform.algorithms.get(entry.id) == entry  # nothing changed
    saved = post_edit(client, str(entry.id), form_data(entry.fields, reason="Gekoppeld.", opgaven=f"#{opgave.id}"))
    assert saved.status_code == 303, text_of(saved.text)[:500]
    assert demo_platform.algorithms.get(entry.id).opgaven == [opgave.id]

    page = client.get(f"/algoritmes/{entry.id}", headers=HTML).text  # dora may edit, not see the opgave
    section = page.split('<section id="opgaven"', 1)[1].split("</section>", 1)[0]
    assert "/opgaven/" not in section and opgave.title not in page
    history = page.split('<section id="history"', 1)[1]
    assert nl("algorithm.opgaven") in text_of(history.split("</li>", 1)[0])
    switch_user(client, "bart")  # the governance board may view every opgave
    page = client.get(f"/algoritmes/{entry.id}", headers=HTML).text
    section = page.split('<section id="opgaven"', 1)[1].split("</section>", 1)[0]
    assert f'href="/opgaven/{opgave.id}"' in section and opgave.title in text_of(section)

    client.cookies.clear()  # the public: the number, not the title or a link
    public = client.get(f"/algoritmes/{entry.id}", headers=HTML).text
    section = public.split('<section id="opgaven"', 1)[1].split("</section>", 1)[0]
    assert nl("algorithm.opgaven.number", number=opgave.id) in text_of(section)
    assert "/opgaven/" not in section and opgave.title not in public
    assert nl("algorithm.opgaven.staff") in text_of(section)


def test_the_opgave_page_lists_the_algorithms_linked_to_it(client: TestClient, demo_platform: Platform) -> None:
    entry = den_haag(demo_platform)[0]
    opgave = min(demo_platform.opgaven.list(), key=lambda o: o.id)
    demo_platform.algorithms.update(
        demo_platform.identity.actor_for("dora"), entry.id, {}, reason="Gekoppeld.", opgaven=[opgave.id]
    )
    switch_user(client, "bart")
    page = client.get(f"/opgaven/{opgave.id}", headers=HTML).text
    section = page.split('<section id="algorithms"', 1)[1].split("</section>", 1)[0]
    assert f'href="/algoritmes/{entry.id}"' in section and entry.name in text_of(section)
