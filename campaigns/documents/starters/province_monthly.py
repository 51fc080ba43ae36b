"""BHXH tỉnh's monthly activity plan (reference: Bình Định 10/2024)."""

from bhxh_portal.numbers import format_number
from units.models import Unit
from units.periods import Period

from ...activities.selectors import monthly_plan
from ...models import Authority, BlockKind, DocumentType
from ..selectors import level_word, short_name
from .common import BlockDraft, Draft, StarterError, _leader, _upper


def planned_activity_rows(unit: Unit, year: int, month: int) -> list[dict]:
    """The activities planned for the unit's subtree in the month, one schedule row per kind
    (campaigns.activities.selectors.monthly_plan): who organises how many, when, the units invited,
    the expected attendance and sign-ups per product. Empty when none is planned."""
    plan = monthly_plan(office=unit, year=year, month=month)
    office = f"Văn phòng BHXH {level_word(unit)}"
    below = "BHXH các huyện, thị xã" if unit.level.code == "tinh" else "Các đơn vị cấp dưới"
    rows = []
    for total in plan.kinds:
        organisers = [f"{name}: {format_number(count)}" for name, count in
                      ((office, total.planned_by_office), (below, total.planned_below)) if count]
        starts = [line.start for line in total.lines if line.start]
        ends = [line.end for line in total.lines if line.end]
        expected = [f"{format_number(total.expected[code])} {name}" for code, name in plan.products
                    if total.expected.get(code)]
        rows.append({
            "activity": total.kind_label, "organiser": "; ".join(organisers), "count": total.planned, "place": "",
            "start": min(starts).isoformat() if starts else "", "end": max(ends).isoformat() if ends else "",
            "invitees": f"{format_number(total.invited)} đơn vị" if total.invited else "",
            "attendance": total.expected_attendance or None, "expected": "; ".join(expected),
        })
    return rows


def province_monthly(unit: Unit, year: int, month: int | None = None) -> Draft:
    if month is None:
        raise StarterError("Kế hoạch tháng cần --period YYYY-MM (tháng của kế hoạch).")
    period = Period.month(year, month)
    districts = "BHXH các huyện, thị xã"
    user, name, _ = _leader(unit)
    fields = {
        "doc_type": DocumentType.PLAN, "year": year, "period_key": period.key,
        "parent_body": "BẢO HIỂM XÃ HỘI VIỆT NAM", "issuing_body": f"BẢO HIỂM XÃ HỘI\n{_upper(unit.name)}",
        "symbol": "BHXH", "place": short_name(unit), "issued_on": None,
        "subject": f"Tổ chức phát triển người tham gia BHXH, BHYT tháng {month} năm {year}",
        "legal_bases": [
            "Thực hiện Công văn số 2236/BHXH-TST ngày 16/8/2022 của Bảo hiểm xã hội Việt Nam về việc hướng dẫn "
            "khai thác phát triển người tham gia BHXH, BHYT bắt buộc;",
            "Thực hiện Công văn số 3165/BHXH-TST ngày 02/10/2023 của Bảo hiểm xã hội Việt Nam về việc sửa đổi và "
            "hướng dẫn một số nội dung tổ chức hội nghị làm việc với đơn vị, doanh nghiệp.",
        ],
        "recipients": ["Ban Quản lý Thu - Sổ, Thẻ BHXH Việt Nam (để b/c)", f"Giám đốc BHXH {level_word(unit)} (b/c)",
                       f"Các Phó Giám đốc BHXH {level_word(unit)}", f"Các phòng nghiệp vụ BHXH {level_word(unit)}",
                       districts, "Lưu: VT, TST"],
        "sign_on_behalf": "", "sign_authority": Authority.KT, "sign_authority_title": "GIÁM ĐỐC",
        "signer_title": "PHÓ GIÁM ĐỐC", "signer_name": name, "signer": user,
    }

    rows = planned_activity_rows(unit, year, month)
    if rows:
        schedule = (f"Các hoạt động tổ chức trong tháng {month}/{year} (số cuộc, thời gian, thành phần và số người "
                    "dự kiến tham gia):")
    else:
        schedule = (f"Chưa có hoạt động vận động nào được lên kế hoạch cho {unit.name} trong tháng {month}/{year}. "
                    "Hãy thêm các hoạt động của tháng (trang Hoạt động vận động, hoặc nhập tệp kế hoạch), rồi tạo "
                    "lại dự thảo, hoặc ghi trực tiếp vào khối này.")
    blocks = [
        BlockDraft(BlockKind.TEXT, (
            f"Trên cơ sở Kịch bản giải pháp phát triển người tham gia năm {year} đã ban hành, BHXH "
            f"{level_word(unit)} xây dựng Kế hoạch tổ chức các nhiệm vụ, giải pháp phát triển người tham gia BHXH, "
            f"BHYT tháng {month} năm {year} như sau:")),
        BlockDraft(BlockKind.TEXT, (
            "## I. MỤC ĐÍCH, YÊU CẦU\n\n### 1. Mục đích\n\n"
            "- Tổ chức hội nghị nhằm phát triển và duy trì bền vững người tham gia BHXH, BHYT theo kế hoạch được "
            "giao trên cơ sở đối thoại, tư vấn, giải đáp chính sách;\n"
            "- Làm việc trực tiếp với đơn vị để phát triển người tham gia BHXH, BHYT, BHTN đạt chỉ tiêu được giao;\n"
            "- Phối hợp với tổ chức dịch vụ thu, Ban Chỉ đạo cấp xã tổ chức hội nghị khách hàng, truyền thông "
            "nhóm nhỏ.\n\n### 2. Yêu cầu\n\n"
            "- Triển khai đầy đủ quy trình phát triển người tham gia theo hướng dẫn của BHXH Việt Nam;\n"
            "- Tổ chức hội nghị tiết kiệm, hiệu quả; phát huy vai trò của người đứng đầu cơ quan BHXH cấp huyện, "
            "Ban Chỉ đạo cấp huyện, cấp xã.")),
        BlockDraft(BlockKind.ACTIVITIES, f"## II. NỘI DUNG KẾ HOẠCH\n\n{schedule}", {"rows": rows}),
        BlockDraft(BlockKind.TEXT, (
            "Kết thúc buổi làm việc trực tiếp, lập biên bản với đơn vị sử dụng lao động; người lao động chưa tham "
            "gia được phân loại: hợp đồng dưới 01 tháng, thử việc; từ 01 tháng đến dưới 03 tháng; từ 03 tháng trở "
            "lên; đã nghỉ việc; đang hưởng lương hưu, trợ cấp BHXH hằng tháng; đang tham gia; đối tượng khác.")),
        BlockDraft(BlockKind.ASSIGNMENTS, "## III. TỔ CHỨC THỰC HIỆN", {"numbering": "1", "items": [
            {"body": "Phòng Quản lý Thu - Sổ, Thẻ", "duties": [
                "Chịu trách nhiệm triển khai các nội dung tại mục II đối với các đơn vị được phân công quản lý;",
                "Theo dõi, tổng hợp, đánh giá tình hình triển khai trên địa bàn toàn tỉnh."]},
            {"body": "Phòng Truyền thông", "duties": [
                "Tổ chức hội nghị khách hàng tiềm năng, hội nghị nhóm nhỏ; tổng hợp kết quả hằng tháng."]},
            {"body": "Phòng Thanh tra - Kiểm tra", "duties": [
                "Trình Giám đốc ban hành quyết định thanh tra các đơn vị sử dụng lao động chậm đóng."]},
            {"body": "Văn phòng", "duties": ["Bảo đảm điều kiện cơ sở vật chất phục vụ các hội nghị."]},
            {"body": districts, "duties": [
                "Hằng tháng xây dựng kế hoạch triển khai và báo cáo kết quả; Giám đốc BHXH huyện, thị xã chịu "
                "trách nhiệm về việc hoàn thành các chỉ tiêu được giao."]},
        ]}),
        BlockDraft(BlockKind.REPORTING, "", {"items": [
            {"what": f"{districts} báo cáo kết quả thực hiện Kế hoạch tháng {month}/{year}",
             "to": f"BHXH {level_word(unit)} (qua phòng Quản lý Thu - Sổ, Thẻ)",
             "by": f"trước ngày 05/{(month % 12) + 1:02d}/{year + (1 if month == 12 else 0)}"},
        ]}),
        BlockDraft(BlockKind.TEXT, "Yêu cầu các đơn vị có liên quan căn cứ các nội dung nêu trên để tổ chức triển "
                                   "khai thực hiện./."),
    ]
    return Draft(fields, blocks)
