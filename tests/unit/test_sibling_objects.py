"""A document about a sibling thing does not answer: "giờ làm việc đăng ký kết hôn" is not answered
from the attestation procedure, "cầu thôn Tân Sơn" not from the village's road (qa/subjects.py);
the document is offered to open instead."""

from __future__ import annotations

from handlers import ask
from qa.mismatch import mismatch
from qa.subjects import asked_objects, head_texts, sibling, subjects
from tests.fakes.memory import MemoryStore
from tests.handler_calls import seeded
from tests.unit.test_answer_tiers import doc_buttons, say

ATTESTATION = "Thủ tục chứng thực bản sao, chứng thực chữ ký: giờ làm việc và lệ phí"


async def test_another_procedure_or_work_is_offered_not_answered(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    for question, near in [
        ("Lệ phí đăng ký khai tử là bao nhiêu, nộp ở đâu?", "thu-tuc-chung-thuc"),
        ("giờ làm việc nhận hồ sơ đăng ký kết hôn", "thu-tuc-chung-thuc"),
        ("giờ làm việc làm sổ đỏ", "thu-tuc-chung-thuc"),
        ("nơi nộp hồ sơ xin giấy phép xây dựng", "thu-tuc-chung-thuc"),
        ("Cầu thôn Tân Sơn dài bao nhiêu mét, nhà thầu nào?", "duong-thon-2"),
    ]:
        reply = await say(svc, question)
        assert reply.meta[ask.SOURCES_KEY] == [], question
        assert "Nguồn:" not in reply.text and doc_buttons(reply)[0] == near, question


async def test_the_document_of_the_thing_asked_still_answers(memory: MemoryStore) -> None:
    svc = await seeded(memory)
    for question, source in [
        ("chứng thực chữ ký lệ phí bao nhiêu", "thu-tuc-chung-thuc"),
        ("không có sổ đỏ thì chứng thực chữ ký ở đâu", "thu-tuc-chung-thuc"),  # a condition, not asked
        ("đường bê tông thôn Tân Sơn dài bao nhiêu mét", "duong-thon-2"),
        ("thẻ bảo hiểm y tế hộ nghèo Khe Mát", "ho-ngheo-khe-mat-2026"),  # one of the objects is its subject
    ]:
        reply = await say(svc, question)
        assert reply.meta[ask.SOURCES_KEY][:1] == [source], question
        assert "Nguồn:" in reply.text


def test_objects_asked_typed_without_marks_or_negated() -> None:
    assert asked_objects("le phi cap so do lan dau bao nhieu") == {"procedure": {"sổ đỏ"}}
    assert asked_objects("ông bà ko có lương hưu thì được trợ cấp bao nhiêu") == {}
    assert asked_objects("hổng có lương hưu thì sao") == {}
    assert asked_objects("lam cho con o dau") == {}  # one unmarked syllable is too ambiguous ("chợ")
    assert asked_objects("yêu cầu gì") == {}  # holds "cầu", is no bridge


def test_subjects_are_the_head_not_a_passing_mention() -> None:
    body = (
        "| STT | Thủ tục | Lệ phí |\n|---|---|---|\n| 1 | Đăng ký khai sinh | Miễn |\n\n"
        "Người đi đăng ký xuất trình căn cước.\n\n**Sơ tán:** về nhà văn hóa thôn Tiên Cầu."
    )
    assert "Đăng ký khai sinh" in head_texts(body)
    held = subjects("Thủ tục hộ tịch", body, ["hộ tịch"])
    assert held == {"procedure": {"khai sinh"}}  # not "căn cước" (in passing), not a bridge ("Tiên Cầu")
    assert sibling("làm căn cước ở đâu", "Thủ tục hộ tịch", body, []) == ("căn cước",)
    assert sibling("đăng ký khai sinh ở đâu", "Thủ tục hộ tịch", body, []) == ()
    assert sibling("học bổng bao nhiêu", "Thủ tục hộ tịch", body, []) == ()  # no benefit is its subject
    assert sibling("Cầu Bến Đá làm xong chưa", ATTESTATION, "", []) == ()


def test_the_near_poor_list_does_not_answer_for_the_poor_whatever_its_source_says() -> None:
    title, body = "Danh sách hộ cận nghèo năm 2026", "Xã công nhận **41 hộ cận nghèo**."
    source = "Quyết định công nhận hộ nghèo, hộ cận nghèo năm 2026"  # the legal basis is wider
    question = "Danh sách hộ nghèo năm 2026 có bao nhiêu hộ?"
    assert mismatch(question, title, [body, "hộ cận nghèo", "", source]).objects == ("hộ nghèo",)
    assert not mismatch("Danh sách hộ cận nghèo năm 2026 có bao nhiêu hộ?", title, [body, "", "", source])


def test_a_place_typed_in_lower_case_is_not_the_object_its_name_holds() -> None:
    title = "Bồi thường thu hồi đất làm đường liên xóm Chiềng – Bãi Kè"
    body = "| Loại đất | Đơn giá |\n|---|---|\n| Đất trồng lúa | 85.000 đồng/m² |"
    assert sibling("bồi thường làm đường xóm bãi kè giá bao nhiêu", title, body, []) == ()
    assert sibling("kè sông bao giờ làm", title, body, []) == ("đê",)  # the object, as listed first


def test_a_procedure_for_a_benefit_does_not_answer_for_another_procedure() -> None:
    # "Thủ tục trợ cấp xã hội" is the procedure for a benefit: asked for the marital-status
    # certificate, it was answered with the allowance's papers ("xác nhận" and "giấy" matched)
    title = "Thủ tục trợ cấp xã hội hằng tháng"
    body = "## Hồ sơ\n\n- Tờ khai đề nghị trợ giúp xã hội;\n- Giấy xác nhận khuyết tật (nếu có)."
    asked = "xin giấy xác nhận tình trạng hôn nhân cần gì"
    assert sibling(asked, title, body, []) == ("tình trạng hôn nhân",)
    assert sibling("trợ cấp xã hội cho người 80 tuổi cần gì", title, body, []) == ()
    # a report (no procedure in its title) naming the benefit is not a procedure's document
    assert sibling(asked, "Báo cáo chi trợ cấp xã hội quý III", body, []) == ()
