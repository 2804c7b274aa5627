"""The public notice board as a resident's browser sees it (aiohttp's test client, a real database)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from domain.petition_actions import Change
from domain.petitions import Action
from storage.store import Store
from tests.conftest import NOW
from tests.web.board_data import FILER_NAME, FILER_PHONE, SECRET, Seeded, board_client, seed

Client = TestClient[web.Request, web.Application]
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
async def seeded(store: Store) -> Seeded:
    return await seed(store)


@pytest.fixture
async def client(store: Store, seeded: Seeded) -> AsyncIterator[Client]:
    async with board_client(store) as c:
        yield c


async def get(client: Client, path: str, status: int = 200) -> str:
    response = await client.get(path)
    text = await response.text()
    assert response.status == status, text[:500]
    return text


def links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


async def test_the_board_lists_disclosures_newest_first_with_their_posting_status(client: Client) -> None:
    html = await get(client, "/")
    assert '<html lang="vi">' in html and "Bỏ qua, tới nội dung chính" in html
    docs = [h for h in links(html) if h.startswith("/van-ban/")]
    assert docs == [
        "/van-ban/thong-bao-co-the-html",  # 20/11/2026
        "/van-ban/ho-ngheo-khe-mat-2026",  # 16/11/2026
        "/van-ban/duong-thon-2",  # 14/09/2026
        "/van-ban/thu-tuc-chung-thuc",  # 02/02/2026
        "/van-ban/du-toan-ngan-sach-2026",  # 12/01/2026
    ]
    budget = html[html.index("/van-ban/du-toan-ngan-sach-2026") :]
    assert "Hết hạn niêm yết" in budget[:600]  # posted until 12/02/2026; today is 25/11/2026
    road = html[html.index("/van-ban/duong-thon-2") :]
    assert "Đang niêm yết" in road[:600] and "14/09/2026 – 31/12/2026" in road[:600]
    assert len(html.encode()) < 100_000


async def test_the_board_filters_by_village_and_category(client: Client) -> None:
    html = await get(client, "/?thon=thon-khe-mat")
    docs = {h for h in links(html) if h.startswith("/van-ban/")}
    assert "/van-ban/ho-ngheo-khe-mat-2026" in docs and "/van-ban/du-toan-ngan-sach-2026" in docs
    assert "/van-ban/duong-thon-2" not in docs  # Thôn Tân Sơn's
    html = await get(client, "/?linh-vuc=ngan_sach")
    assert [h for h in links(html) if h.startswith("/van-ban/")] == ["/van-ban/du-toan-ngan-sach-2026"]


async def test_a_disclosure_page_has_its_table_source_dates_and_status(client: Client) -> None:
    html = await get(client, "/van-ban/duong-thon-2")
    assert "<h1>Công khai công trình bê tông hóa đường trục thôn số 2, Thôn Tân Sơn</h1>" in html
    assert "<th>Hạng mục</th>" in html and "<td>Công ty TNHH Xây dựng Hưng Thịnh</td>" in html
    assert "Quyết định số 142/QĐ-UBND ngày 09/9/2026 của UBND xã Tân Lập" in html
    assert "14/09/2026" in html and "Đang niêm yết" in html and "Thôn Tân Sơn" in html
    assert "<strong>850 m</strong>" in html
    assert len(html.encode()) < 100_000


async def test_html_in_a_disclosure_body_is_shown_as_text_never_run(client: Client) -> None:
    html = await get(client, "/van-ban/thong-bao-co-the-html")
    assert "<script>alert" not in html and "<b>in đậm giả</b>" not in html
    assert "&lt;script&gt;alert(" in html


async def test_an_unknown_disclosure_or_page_gets_a_404_in_vietnamese(client: Client) -> None:
    html = await get(client, "/van-ban/khong-co-van-ban-nay", status=404)
    assert "Không có văn bản này" in html and '<html lang="vi">' in html
    html = await get(client, "/trang-khong-co", status=404)
    assert "Không có trang này" in html
    assert (await client.get("/lich/thon-khong-co.ics")).status == 404  # a route's own 404 still stands


async def test_search_typed_without_marks_finds_the_disclosure_with_its_passage(client: Client) -> None:
    html = await get(client, "/tim-kiem?q=duong+thon+tan+son+dai+bao+nhieu+met")
    results = [h for h in links(html) if h.startswith("/van-ban/") or h.startswith("/lich#")]
    assert results[0] == "/van-ban/duong-thon-2"
    assert "850 m" in html  # the passage that answers
    html = await get(client, "/tim-kiem?q=le+phi+chung+thuc")
    assert next(h for h in links(html) if h.startswith("/van-ban/")) == "/van-ban/thu-tuc-chung-thuc"
    html = await get(client, "/tim-kiem")
    assert 'label for="q"' in html and "Kết quả" not in html


async def test_the_calendar_lists_coming_sittings_a_month_and_the_feeds(client: Client) -> None:
    html = await get(client, "/lich")
    assert "Hội nghị đối thoại" in html and "Thứ Ba, 08/12/2026, 14 giờ 00" in html
    assert "/lich.ics" in links(html) and "/lich/thon-tan-son.ics" in links(html)
    assert "Tháng 11/2026" in html and 'aria-current="date"' in html  # today, 25/11, in the grid
    html = await get(client, "/lich?thang=2026-12")
    assert "Tháng 12/2026" in html
    grid = html[html.index('class="month"') : html.index("</table>", html.index('class="month"'))]
    assert '<a href="#ngay-2026-12-08"><strong>8</strong></a><br>14:00' in grid
    assert "#ngay-2026-12-15" not in grid  # the reception of 15/12 is cancelled
    day = html[html.index('id="ngay-2026-12-08"') :].split("</li>")[0]
    assert "Thứ Ba, 08/12/2026" in day and "Hội nghị đối thoại" in day and "#su-kien-doi-thoai-2026" in day
    assert 'id="su-kien-doi-thoai-2026"' in html  # where a search result for the event lands


async def test_the_atom_feed_parses_and_links_to_the_disclosure_pages(client: Client) -> None:
    response = await client.get("/tin-moi.xml")
    assert response.status == 200 and response.content_type == "application/atom+xml"
    root = ET.fromstring(await response.read())
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in entries][:2] == [
        "https://tanlap.example.vn/van-ban/thong-bao-co-the-html",
        "https://tanlap.example.vn/van-ban/ho-ngheo-khe-mat-2026",
    ]
    road = next(e for e in entries if e.findtext(f"{ATOM}title", "").startswith("Công khai công trình"))
    link = road.find(f"{ATOM}link")
    assert link is not None and link.get("href") == "https://tanlap.example.vn/van-ban/duong-thon-2"
    assert road.findtext(f"{ATOM}published", "").startswith("2026-09-14")


async def test_the_quarterly_list_has_the_quarters_disclosures(client: Client) -> None:
    html = await get(client, "/van-ban?quy=2026-Q4")
    docs = [h for h in links(html) if h.startswith("/van-ban/")]
    assert docs == ["/van-ban/ho-ngheo-khe-mat-2026", "/van-ban/thong-bao-co-the-html"]  # oldest first
    assert "quý IV năm 2026" in html
    html = await get(client, "/van-ban")  # this quarter by default
    assert "quý IV năm 2026" in html
    html = await get(client, "/van-ban?quy=2026-Q1")
    assert [h for h in links(html) if h.startswith("/van-ban/")] == [
        "/van-ban/du-toan-ngan-sach-2026",
        "/van-ban/thu-tuc-chung-thuc",
    ]
    await get(client, "/van-ban?quy=2026-Q5", status=404)


async def test_statistics_hide_small_cells_and_show_no_personal_data(client: Client) -> None:
    html = await get(client, "/thong-ke")
    table = html[html.index("<h2>Hồ sơ đã tiếp nhận") : html.index("<h2>Trả lời")]
    cells = re.findall(r"<td>([^<]*)</td>", table)
    assert cells and all(c == "dưới 5" or int(c) >= 5 for c in cells)
    tan_son = table[table.index("Thôn Tân Sơn") :].split("</tr>")[0]
    assert re.findall(r"<td>([^<]*)</td>", tan_son) == ["6", "dưới 5", "dưới 5", "dưới 5", "7"]
    khe_mat = table[table.index("Thôn Khe Mát") :].split("</tr>")[0]
    assert "2" not in re.findall(r"<td>([^<]*)</td>", khe_mat)  # two denunciations: hidden
    assert "<td>14</td>" in table  # all received this year
    for personal in (FILER_NAME, FILER_PHONE, SECRET, "TEST0"):
        assert personal not in html
    assert "lượt đánh giá" in html


async def test_a_petitions_public_status_has_its_type_status_and_dates_only(
    client: Client, seeded: Seeded
) -> None:
    html = await get(client, f"/tra-cuu/{seeded.code_to_cao.lower()}")
    assert "Tố cáo" in html and "Ngày tiếp nhận" in html and "Đã tiếp nhận, chờ xử lý" not in html
    for personal in (FILER_NAME, FILER_PHONE, SECRET, "Ghi chú nội bộ"):
        assert personal not in html
    html = await get(client, f"/tra-cuu/{seeded.code_phan_anh}")
    assert "Phản ánh" in html and "Đã tiếp nhận, chờ xử lý" in html and "Cống ở" not in html
    await get(client, "/tra-cuu/PA-KHONGCO", status=404)
    response = await client.get("/tra-cuu?ma=ph-test00", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"] == "/tra-cuu/PH-TEST00"
    response = await client.get("/tra-cuu", params={"ma": "x\r\nSet-Cookie: a=b"}, allow_redirects=False)
    assert response.status == 302 and response.headers["Location"] == "/tra-cuu/XSET-COOKIEAB"


async def test_the_board_serves_under_a_commune_prefix_with_its_links(store: Store, seeded: Seeded) -> None:
    async with board_client(store, prefix="/tan-lap") as c:
        html = await get(c, "/tan-lap/")
        assert "/tan-lap/van-ban/duong-thon-2" in links(html) and "/tan-lap/tim-kiem" in links(html)
        html = await get(c, "/tan-lap/van-ban/duong-thon-2")
        assert "Hưng Thịnh" in html
        await get(c, "/tan-lap/thong-ke")


async def test_a_long_board_comes_a_page_at_a_time(store: Store) -> None:
    from storage.importer import import_data, load_file
    from tests.conftest import MINI, NOW

    data = load_file(MINI)
    data["disclosures"] += [
        {
            "id": f"tb-{n:02d}",
            "title": f"Thông báo số {n}",
            "category": "khac",
            "published_at": f"2026-10-{n:02d}",
            "body": "Nội dung.",
        }
        for n in range(1, 31)
    ]
    async with store.uow() as uow:
        await import_data(uow, data, NOW)
    async with board_client(store) as c:
        first = await get(c, "/")
        assert "34 văn bản" in first and "Trang 1/2" in first and "/?trang=2" in links(first)
        second = await get(c, "/?trang=2")
        docs = [h for h in links(second) if h.startswith("/van-ban/")]
        assert docs == [  # the oldest four, still newest first
            "/van-ban/tb-01",
            "/van-ban/duong-thon-2",
            "/van-ban/thu-tuc-chung-thuc",
            "/van-ban/du-toan-ngan-sach-2026",
        ]
        shown = {h for page in (first, second) for h in links(page) if h.startswith("/van-ban/")}
        assert len(shown) == 34


async def test_an_empty_database_still_serves_every_page(store: Store) -> None:
    async with board_client(store) as c:
        for path in ("/", "/lich", "/thong-ke", "/tim-kiem?q=hoc+phi", "/van-ban", "/tra-cuu"):
            html = await get(c, path)
            assert '<html lang="vi">' in html
        assert (await c.get("/tin-moi.xml")).status == 200


async def test_a_petitions_public_status_says_the_commune_replied_but_not_what(
    client: Client, seeded: Seeded, store: Store
) -> None:
    reply = "Xã đã cử tổ vệ sinh khơi thông cống."
    async with store.uow() as uow:
        petition = await uow.petitions.by_code(seeded.code_phan_anh)
        assert petition is not None
        await uow.petitions.apply(
            petition, Change(Action.ANSWERED, "tran-thi-binh", reply, answer=reply), NOW
        )
        await uow.commit()
    html = await get(client, f"/tra-cuu/{seeded.code_phan_anh}")
    assert re.search(r"Đã tiếp nhận, xã đã trả lời ngày \d\d/\d\d/\d{4}", html)
    assert "chờ xử lý" not in html and reply not in html  # the reply itself is the filer's
