"""Problem details (RFC 9457): the exception views raise, the catalogue of stable codes,
and the handlers that turn every /api/* error into application/problem+json."""

from __future__ import annotations

import logging
import re

from flask import Flask, current_app, json, request
from flask.json.provider import DefaultJSONProvider
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, RequestHeaderFieldsTooLarge, RequestURITooLarge

log = logging.getLogger(__name__)

PROBLEM_TYPE = "application/problem+json"

# code -> (HTTP status, title written for a commune officer). The client switches on the
# code and may show its own Vietnamese text; the title is the fallback it can display.
CATALOGUE: dict[str, tuple[int, str]] = {
    "request.malformed": (400, "Yêu cầu không đúng định dạng JSON."),
    "request.invalid": (400, "Dữ liệu gửi lên chưa hợp lệ. Xem lỗi ở từng trường."),
    "request.not_found": (404, "Không tìm thấy địa chỉ này."),
    "request.method_not_allowed": (405, "Địa chỉ này không nhận thao tác này."),
    "request.too_large": (413, "Dữ liệu gửi lên quá lớn."),
    "request.uri_too_long": (414, "Địa chỉ yêu cầu quá dài."),
    "request.headers_too_large": (431, "Phần đầu (header) của yêu cầu quá lớn."),
    "request.unsupported_media_type": (415, "Định dạng dữ liệu không được hỗ trợ."),
    "request.failed": (400, "Yêu cầu không thực hiện được."),
    "auth.required": (401, "Vui lòng đăng nhập."),
    "auth.invalid_credentials": (401, "Tên đăng nhập hoặc mật khẩu không đúng."),
    "auth.too_many_attempts": (
        429,
        "Đăng nhập sai quá nhiều lần. Vui lòng chờ rồi thử lại.",
    ),
    "auth.account_disabled": (403, "Tài khoản đã bị khóa."),
    "auth.must_change_password": (
        403,
        "Bạn cần đặt mật khẩu của riêng mình trước khi dùng tiếp.",
    ),
    "auth.csrf_failed": (403, "Phiên làm việc không hợp lệ. Vui lòng tải lại trang."),
    "auth.forbidden": (403, "Bạn không có quyền thực hiện thao tác này."),
    "scope.forbidden": (403, "Đơn vị này nằm ngoài phạm vi quản lý của bạn."),
    "unit.not_found": (404, "Không tìm thấy đơn vị hành chính."),
    "user.not_found": (404, "Không tìm thấy tài khoản."),
    "followup.not_overdue": (
        404,
        "Vụ việc hay mô hình này không còn trong danh sách cần theo dõi của chị (có thể vừa "
        "có ghi nhận mới): tải lại danh sách.",
    ),
    "followup.nobody": (
        409,
        "Đơn vị đang theo dõi việc này chưa có tài khoản cán bộ nào đang hoạt động để nhắc: "
        "báo quản trị viên tạo tài khoản.",
    ),
    "device.nothing_at_risk": (
        409,
        "Máy của người này không có gì cần nhắc: mọi phiếu đã gửi và máy đồng bộ gần đây.",
    ),
    "user.exists": (409, "Tên đăng nhập đã có người dùng."),
    "user.phone_taken": (409, "Số điện thoại này đã có tài khoản khác."),
    "import.unreadable": (
        400,
        "Không đọc được tệp: hãy gửi tệp Excel (.xlsx) hoặc CSV (UTF-8) có dòng tiêu đề.",
    ),
    "import.missing_columns": (400, "Tệp thiếu cột bắt buộc."),
    "import.too_many_rows": (413, "Tệp có quá nhiều dòng."),
    "import.conflict": (
        409,
        "Vừa có người khác tạo một số tài khoản trong tệp này; hãy kiểm tra lại tệp rồi nhập.",
    ),
    "user.last_province_admin": (
        409,
        "Đây là quản trị viên cấp tỉnh cuối cùng còn hoạt động; hãy giao quyền cho người khác "
        "trước.",
    ),
    "sync.batch_too_large": (413, "Gửi quá nhiều phiếu một lần."),
    "sync.bad_cursor": (400, "Mốc đồng bộ không hợp lệ. Máy sẽ đồng bộ lại từ đầu."),
    "form.not_found": (404, "Không tìm thấy biểu mẫu."),
    "form.stale_version": (
        409,
        "Biểu mẫu vừa có phiên bản mới hơn bản chị đang sửa.",
    ),
    "form.change_refused": (
        400,
        "Chưa phát hành được: có thay đổi làm hỏng các phiếu đã lưu hoặc cần nhóm phát triển. "
        "Xem lý do ở từng dòng.",
    ),
    "form.bad_sheet": (400, "Tệp Excel chưa đúng mẫu XLSForm (trang survey, choices)."),
    "attachment.bad_hash": (400, "Mã ảnh không hợp lệ."),
    "attachment.hash_mismatch": (
        400,
        "Ảnh bị hỏng trên đường truyền (mã kiểm tra không khớp). Máy sẽ gửi lại.",
    ),
    "attachment.unsupported_type": (415, "Chỉ nhận ảnh JPEG, PNG hoặc WebP."),
    "attachment.too_large": (
        413,
        "Ảnh quá lớn (tối đa 5 MB). Hãy chụp lại hoặc chọn ảnh nhỏ hơn.",
    ),
    "attachment.not_found": (404, "Không tìm thấy ảnh."),
    "attachment.quota": (
        413,
        "Máy đã gửi quá nhiều ảnh chưa gắn vào phiếu nào. Hãy gửi các phiếu đang chờ, "
        "hoặc liên hệ quản trị viên.",
    ),
    "submission.not_found": (404, "Không tìm thấy phiếu."),
    "deadline.not_found": (404, "Không có quy định hạn báo cáo này."),
    "incident.not_permitted": (
        403,
        "Chỉ người phụ trách vụ việc và người được giao duyệt vụ việc mới xem được chi tiết.",
    ),
    "review.not_allowed": (403, "Bạn không được duyệt phiếu này."),
    "review.invalid_transition": (409, "Phiếu không còn ở bước có thể quyết định này."),
    "review.stale": (409, "Phiếu đã được sửa hoặc đã được xử lý; hãy tải lại rồi quyết định."),
    "report.not_allowed": (403, "Bạn không xem được số liệu của đơn vị này."),
    "report.unknown_indicator": (404, "Không có chỉ tiêu này."),
    "report.target_not_found": (404, "Chưa đặt chỉ tiêu này."),
    "report.private": (
        403,
        "Vụ việc chỉ hiện ở dạng số liệu tổng hợp, không liệt kê từng phiếu.",
    ),
    "server.unavailable": (503, "Máy chủ đang bận. Vui lòng thử lại sau."),
    "server.error": (500, "Máy chủ gặp sự cố. Dữ liệu của bạn vẫn được giữ trên máy."),
}

# Per-field error codes (the `code` of each entry in a problem's `errors`), with the text
# shown beside the field. Form validation adds its own codes with the same shape.
FIELD_MESSAGES: dict[str, str] = {
    "field.required": "Trường này bắt buộc.",
    "field.null": "Trường này không được để trống.",
    "field.invalid_type": "Giá trị không đúng kiểu.",
    "field.unknown": "Trường không có trong biểu mẫu.",
    "field.too_short": "Quá ngắn.",
    "field.too_long": "Quá dài.",
    "field.not_a_choice": "Giá trị không nằm trong danh sách.",
    "field.invalid": "Giá trị không hợp lệ.",
    "field.invalid_text": "Có ký tự không hợp lệ (ký tự điều khiển hoặc lỗi mã hóa).",
    "field.below_min": "Nhỏ hơn giá trị thấp nhất cho phép.",
    "field.above_max": "Lớn hơn giá trị cao nhất cho phép.",
    "field.duplicate_choice": "Một lựa chọn bị chọn hai lần.",
    "field.too_few": "Chưa đủ số dòng tối thiểu.",
    "field.too_many": "Quá số lượng cho phép.",
    "field.not_relevant": "Trường này không áp dụng với các câu trả lời khác; hãy xóa nó.",
    "field.invalid_unit": "Mã đơn vị không đúng hoặc không đúng cấp.",
    "field.pattern_mismatch": "Không đúng định dạng.",
    "field.attachment_not_listed": "Ảnh không có trong danh sách ảnh của phiếu.",
    "form.unknown": "Không có biểu mẫu này.",
    "form.unknown_version": "Phiên bản biểu mẫu này chưa có trên máy chủ.",
    "form.version_expired": "Phiên bản biểu mẫu này đã ngừng nhận phiếu mới; hãy mở biểu mẫu "
                            "mới nhất, nhập lại phiếu rồi gửi.",
    "form.sum_exceeds_total": "Các số thành phần cộng lại vượt quá tổng.",
    "form.part_exceeds_whole": "Số thành phần lớn hơn tổng.",
    "scope.forbidden": "Đơn vị hoặc phiếu này nằm ngoài phạm vi của bạn.",
    "sync.unknown_record": "Máy chủ không có phiếu này trong phạm vi của bạn.",
    "entry.parent_not_found": "Không tìm thấy vụ việc hoặc mô hình này trong phạm vi của bạn.",
    "entry.parent_not_approved": "Vụ việc hoặc mô hình này chưa được duyệt; chỉ ghi tiếp "
                                 "khi đã duyệt.",
    "entry.not_holder": "Vụ việc này đã chuyển cho đơn vị khác phụ trách; bạn chỉ còn xem "
                        "được những gì mình đã ghi.",
    "entry.wrong_unit": "Vụ việc hoặc mô hình này do đơn vị khác phụ trách; hãy đồng bộ lại.",
    "entry.case_closed": "Vụ việc đã đóng; chỉ có thể ghi mở lại vụ việc.",
    "entry.case_not_closed": "Vụ việc đang mở; không cần mở lại.",
    "entry.closure_needs_reason": "Vụ việc chưa có dịch vụ nào đã nhận: hãy chọn lý do nói rõ "
                                  "vì sao (từ chối hỗ trợ, mất liên lạc, chuyển nơi khác, "
                                  "lý do khác).",
    "entry.same_unit": "Vụ việc đang do chính xã này phụ trách.",
}


# What a problem says beyond its title (its `detail`) or beside a field (an error's
# `message`), by what happened; {placeholders} are filled by say(). Every text a user
# reads in a problem is here (tests/unit/test_layers.py keeps it so).
DETAILS: dict[str, str] = {
    "request.not_object": "Nội dung phải là một đối tượng JSON.",
    "request.bad_text": "Có ký tự không hợp lệ trong dữ liệu gửi lên.",
    "request.bad_url_text": "Địa chỉ có ký tự không hợp lệ.",
    "auth.retry_in": "Vui lòng thử lại sau {minutes} phút.",
    "auth.disabled_contact": "Tài khoản đã bị khóa, liên hệ {contact} để được mở lại.",
    "auth.password_or_code": "Nhập mật khẩu hoặc mã đăng nhập một lần (không nhập cả hai).",
    "auth.change_first": "Hãy đặt mật khẩu mới (POST /api/auth/password) rồi dùng tiếp.",
    "auth.wrong_current_password": "Mật khẩu hiện tại không đúng.",
    "user.phone_format": "Số điện thoại di động gồm 10 chữ số, bắt đầu bằng 0.",
    "import.max_rows": "Tối đa {max} dòng mỗi tệp; hãy chia thành nhiều tệp.",
    "import.columns": "Thiếu cột: {missing}. Dòng đầu của tệp phải có các cột: họ tên, "
                      "số điện thoại, đơn vị (mã hoặc tên), vai trò.",
    "import.formula": "Ô “{column}” có công thức; hãy dán giá trị (Paste Values) thay cho "
                      "công thức.",
    "import.name_missing": "Thiếu họ tên.",
    "import.name_too_long": "Họ tên dài quá 120 ký tự.",
    "import.bad_text": "Ô “{column}” có ký tự không hợp lệ.",
    "import.phone_missing": "Thiếu số điện thoại.",
    "import.phone_format": "Số điện thoại “{phone}” không đúng: số di động gồm 10 chữ số, bắt "
                           "đầu bằng 0.",
    "import.phone_repeated": "Số điện thoại {phone} trùng với dòng {row}.",
    "import.phone_other": "Số điện thoại {phone} đã có tài khoản {username} ({unit}, "
                          "{role}) khác dòng này; hãy sửa trên màn hình Tài khoản.",
    "import.phone_elsewhere": "Số điện thoại {phone} đã có tài khoản ở đơn vị ngoài phạm vi "
                              "của bạn; hãy liên hệ Hội tỉnh.",
    "import.username_taken": "Tên đăng nhập {username} đã có người dùng (không cùng số điện "
                             "thoại).",
    "import.unit_missing": "Thiếu đơn vị.",
    "import.unit_unknown": "Không có đơn vị “{unit}” (mã hoặc tên) đang hoạt động.",
    "import.unit_ambiguous": "Tên đơn vị “{unit}” trùng nhiều nơi ({codes}); hãy ghi mã "
                             "đơn vị.",
    "import.unit_out_of_scope": "Đơn vị {unit} nằm ngoài phạm vi quản lý của bạn.",
    "import.role_unknown": "Vai trò “{role}” không có: ghi cán bộ, giám sát hoặc quản trị.",
    "import.role_level": "Vai trò {role} không gắn được với {unit} (cấp {level}).",
    "user.code_not_live": "Mã của {username} đã dùng, hết hạn hoặc đã được thay: hãy cấp mã "
                          "mới.",
    "user.not_own_code": "Không tự cấp mã đăng nhập cho mình: hãy đổi mật khẩu của mình.",
    "user.code_for_officers": "Tài khoản đang hoạt động mới nhận được mã đăng nhập.",
    "audit.province_admins": "Chỉ quản trị cấp tỉnh xem được nhật ký truy cập.",
    "user.exists_named": "Tên đăng nhập {name} đã có.",
    "user.role_level": "Vai trò {role} không gắn được với đơn vị cấp {level}.",
    "user.reviewers_only": "Chỉ người duyệt (cấp huyện, tỉnh) mới được giao xem chi tiết vụ "
                           "việc.",
    "user.weak_password": "Mật khẩu này dễ bị đoán ra (quá ngắn, quá phổ biến hoặc có tên "
                          "người dùng). Hãy dùng vài từ dễ nhớ nối nhau, ví dụ "
                          "“lua-chin-vang-dong”.",
    "user.not_yourself": "Không thể tự khóa tài khoản của mình.",
    "user.not_own_role": "Không thể tự đổi vai trò của mình: nhờ một quản trị viên khác.",
    "user.not_own_incident_reviewer": "Không thể tự giao quyền xem chi tiết vụ việc cho mình: "
                                      "nhờ một quản trị viên khác.",
    "unit.no_such_code": "Không có đơn vị mã {code}.",
    "form.no_such_version": "Không có biểu mẫu {form} phiên bản {version}.",
    "form.no_such_form": "Không có biểu mẫu {form}.",
    "form.edit_current": "Hãy sửa trên phiên bản mới nhất của biểu mẫu {form} (phiên bản "
                         "{version}): tải lại tệp hoặc biểu mẫu rồi làm lại.",
    "form.sheet_missing": "Thiếu trang “{sheet}”.",
    "form.sheet_column": "Trang “{sheet}” thiếu cột “{column}”.",
    "form.sheet_formula": "Ô {cell} của trang “{sheet}” là công thức; hãy gõ chữ, không dùng "
                          "công thức.",
    "form.sheet_unreadable": "Không đọc được tệp: hãy lưu lại dưới dạng Excel (.xlsx).",
    "form.sheet_too_long": "Trang “{sheet}” có quá {max} dòng.",
    "form.sheet_type": "Dòng {row} của trang survey: kiểu “{type}” không có.",
    "form.sheet_repeat": "Dòng {row} của trang survey: begin_repeat và end_repeat không khớp.",
    "form.sheet_settings": "Trang settings phải ghi form_id và version của biểu mẫu đã tải về.",
    "form_version.province_admins": "Chỉ quản trị cấp tỉnh phát hành được phiên bản biểu mẫu.",
    "form_version.bad_label": "Cần nhãn tiếng Việt (vi) và tiếng Anh (en), không để trống, "
                              "tối đa {max} ký tự.",
    "form_version.field_removed": "Không được bỏ trường “{label}”: các phiếu đã lưu có dữ "
                                  "liệu của trường này.",
    "form_version.type_changed": "Không được đổi kiểu của trường “{label}” ({old} → {new}): "
                                 "các phiếu đã lưu sẽ bị đọc sai.",
    "form_version.field_rule_changed": "Trường “{label}”: thay đổi “{what}” cần nhóm phát "
                                       "triển (chỉ sửa được nhãn và hướng dẫn).",
    "form_version.field_added": "Thêm trường mới (“{label}”) cần nhóm phát triển phát hành "
                                "(để báo cáo, chỉ tiêu và xuất dữ liệu đọc được trường này).",
    "form_version.list_removed": "Không được bỏ danh sách lựa chọn của “{list}”.",
    "form_version.list_rule_changed": "Danh sách của “{list}”: thay đổi “{what}” cần nhóm phát "
                                      "triển.",
    "form_version.list_added": "Thêm danh sách lựa chọn mới ({list}) cần nhóm phát triển.",
    "form_version.form_rule_changed": "Thay đổi “{what}” của biểu mẫu cần nhóm phát triển (chỉ "
                                      "sửa được tên, nhãn, hướng dẫn và danh sách lựa chọn).",
    "form_version.other_form": "Tệp này không phải biểu mẫu {form}.",
    "form_version.shape": "Biểu mẫu gửi lên thiếu phần trường (fields) hoặc danh sách lựa "
                          "chọn (choice_lists), hoặc không đúng cấu trúc.",
    "form_version.bad_value": "Mỗi lựa chọn cần một giá trị (value) là chữ.",
    "form_version.bad_flag": "“retired” và “unverified” chỉ nhận đúng hoặc sai (true/false).",
    "form_version.choice_keys": "Một lựa chọn chỉ có các mục: {keys}.",
    "form_version.duplicate_value": "Giá trị “{value}” xuất hiện hai lần trong danh sách "
                                    "“{list}”.",
    "form_version.value_format": "Giá trị mới “{value}” chỉ gồm chữ thường không dấu, số và "
                                 "dấu gạch dưới (tối đa 60 ký tự), ví dụ “thang_hanh_dong”.",
    "form_version.value_reused": "Giá trị “{value}” đã từng có nghĩa “{old}”; không dùng lại "
                                 "cho “{new}”. Hãy đặt một giá trị mới.",
    "form_version.retired_relabelled": "Lựa chọn “{old}” ({value}) đã ngừng dùng hoặc đang "
                                       "được ngừng dùng: không được đổi nhãn thành “{new}”. "
                                       "Hãy thêm một lựa chọn mới với giá trị mới.",
    "form_version.choice_removed": "Không được xóa lựa chọn “{label}” khỏi “{list}”: các phiếu "
                                   "cũ còn dùng. Hãy đánh dấu ngừng dùng (retired).",
    "form_version.no_choice_left": "Danh sách “{list}” phải còn ít nhất một lựa chọn đang "
                                   "dùng.",
    "form_version.no_change": "Không có thay đổi nào so với phiên bản hiện tại.",
    "form_version.retitled": "Đổi tên biểu mẫu: “{old}” → “{new}”.",
    "form_version.relabelled_field": "Đổi nhãn trường “{old}” thành “{new}” (tiếng Anh: "
                                     "“{en}”).",
    "form_version.hint_set": "Hướng dẫn của trường “{label}”: “{hint}”.",
    "form_version.hint_removed": "Bỏ hướng dẫn của trường “{label}”.",
    "form_version.fields_reordered": "Đổi thứ tự các trường.",
    "form_version.choice_added": "Thêm lựa chọn “{label}” (giá trị {value}) vào “{list}”.",
    "form_version.choice_relabelled": "Trong “{list}”: đổi nhãn “{old}” thành “{new}” "
                                      "(tiếng Anh: “{en}”).",
    "form_version.choice_retired": "Trong “{list}”: ngừng dùng “{label}” cho phiếu mới (các "
                                   "phiếu cũ giữ nguyên).",
    "form_version.choice_restored": "Trong “{list}”: dùng lại “{label}”.",
    "form_version.choices_reordered": "Đổi thứ tự lựa chọn trong “{list}”.",
    "sync.batch_limit": "Mỗi lần gửi tối đa {max_items} phiếu; máy sẽ chia nhỏ và gửi tiếp.",
    "sync.errors_left_out": "Còn {count} lỗi nữa chưa được liệt kê; sửa các lỗi đã hiện rồi "
                            "gửi lại để xem tiếp.",
    "attachment.hash_format": "Địa chỉ ảnh phải là mã SHA-256 (64 ký tự 0-9, a-f).",
    "push.https_only": "Địa chỉ nhận thông báo phải là https.",
    "push.unknown_service": "Trình duyệt này dùng dịch vụ thông báo chưa được hỗ trợ; hãy dùng "
                            "Chrome, Firefox, Edge hoặc Safari mới.",
    "review.officer": "Cán bộ cơ sở không duyệt phiếu.",
    "review.final": "Phiếu {status}; không thể {decision} nữa. Hãy tải lại danh sách.",
    "review.edited": "Phiếu vừa được sửa; hãy xem bản mới rồi quyết định.",
    "review.taken": "Phiếu vừa được người khác xử lý; hãy tải lại.",
    "review.waiting_for": "Phiếu đang chờ {unit} duyệt.",
    "review.own_record": "Bạn không duyệt phiếu do chính mình lập: phiếu chờ cấp trên hoặc một "
                         "người duyệt khác của đơn vị.",
    "review.reason_required": "Cần ghi lý do khi trả lại hoặc không chấp nhận phiếu.",
    "deadline.province_only": "Chỉ quản trị cấp tỉnh sửa được hạn báo cáo.",
    "deadline.date_not_used": "Không áp dụng cho loại kỳ của hạn này.",
    "deadline.end_before_start": "Ngày kết thúc phải sau ngày bắt đầu (trong cùng một năm).",
    "period.format": "Kỳ báo cáo: year, Q1–Q4, H1, 9M hoặc tháng YYYY-MM.",
    "period.other_year": "Tháng báo cáo phải thuộc năm đã chọn.",
    "report.supervisors": "Báo cáo tổng hợp dành cho cấp giám sát.",
    "report.export_supervisors": "Xuất dữ liệu dành cho cấp giám sát.",
    "report.targets_admins": "Chỉ quản trị viên sửa được chỉ tiêu.",
    "report.basis_choices": "Chỉ tiêu {indicator} tính theo: {bases}.",
    "report.percent_max": "Tối đa 100%.",
    "plan.same_year": "Năm chép đến phải khác năm chép từ.",
    "plan.nothing_to_copy": "Năm {year} chưa có chỉ tiêu nào để chép.",
    "plan.not_a_sheet": "Tệp gửi lên không phải bảng tính Excel (.xlsx).",
    "plan.wrong_columns": "Dòng đầu của bảng phải là các cột: {columns}. Hãy tải mẫu về và "
                          "điền vào mẫu.",
    "plan.formula": "Dòng này có công thức; hãy dán giá trị (không dán công thức).",
    "plan.unknown_indicator": "Không có chỉ tiêu mã {indicator}.",
    "plan.bad_value": "Giá trị phải là một số không âm.",
    "plan.bad_basis": "Cách tính của chỉ tiêu này chỉ có thể là: {bases}.",
    "plan.unknown_place": "Không có đơn vị mã {unit} trong năm này.",
    "plan.places_only_k03": "Chỉ chỉ tiêu K03 (giám sát) ghi địa bàn.",
}
# Words the texts above are made of.
STATUS_WORDS = {"approved": "đã được duyệt", "returned": "đang được trả lại cho cán bộ sửa",
                "rejected": "đã bị từ chối"}
DECISION_WORDS = {"approve": "duyệt", "return": "trả lại", "reject": "từ chối"}


def say(key: str, **values) -> str:
    """The text of DETAILS[key], its placeholders filled."""
    return DETAILS[key].format(**values)

# Text that is not XML 1.0 `Char` is refused where input enters, never met by the
# database or an export: a lone UTF-16 surrogate cannot be stored or sent back as UTF-8,
# PostgreSQL refuses NUL, and the other C0 controls (all but tab, LF and CR), U+FFFE and
# U+FFFF cannot be written into an XLSX file (its sheets are XML), so one such character
# would break every export that holds the record.
BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def has_bad_text(value, depth: int = 0) -> bool:
    """True if any string (or key) inside a parsed JSON value has a character BAD_TEXT
    refuses (a control character other than tab, LF, CR; a surrogate; U+FFFE, U+FFFF)."""
    if isinstance(value, str):
        return BAD_TEXT.search(value) is not None
    if depth > 64:
        return True
    # Loops rather than any(generator): it runs over every key and value of every
    # item a phone sends, and a string (most of them) is searched here at once.
    inner, search = depth + 1, BAD_TEXT.search
    if isinstance(value, dict):
        for key, item in value.items():
            if (search(key) is not None if type(key) is str else has_bad_text(key, inner)) \
                    or (search(item) is not None if type(item) is str
                        else has_bad_text(item, inner)):
                return True
        return False
    if isinstance(value, list):
        for item in value:
            if search(item) is not None if type(item) is str else has_bad_text(item, inner):
                return True
        return False
    return False


class Problem(Exception):
    """An error a client can act on. Raise it anywhere below a view."""

    def __init__(
        self,
        code: str,
        detail: str | None = None,
        *,
        status: int | None = None,
        errors: list[dict] | None = None,
        headers: dict[str, str] | None = None,
        **extra,
    ):
        known_status, title = CATALOGUE.get(code, (400, "Yêu cầu không thực hiện được."))
        super().__init__(code)
        self.code = code
        self.status = status or known_status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra

    def to_dict(self) -> dict:
        body = {
            "type": f"urn:cslp:problem:{self.code}",
            "code": self.code,
            "title": self.title,
            "status": self.status,
        }
        if self.detail:
            body["detail"] = self.detail
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


def problem_response(problem: Problem):
    body = json.dumps(problem.to_dict(), ensure_ascii=False)
    headers = {"Content-Type": PROBLEM_TYPE, **problem.headers}
    return body, problem.status, headers


def field_error(field: str, code: str, key: str | None = None, **values) -> dict:
    """One entry of a problem's `errors`: the field, its code, and the text beside it
    (DETAILS[key] when given, else the code's own)."""
    return {"field": field, "code": code,
            "message": say(key, **values) if key else FIELD_MESSAGES.get(code, "")}


def invalid(field: str, code: str, key: str | None = None, **values) -> Problem:
    """request.invalid about one field."""
    return Problem("request.invalid", errors=[field_error(field, code, key, **values)])


def field_errors(messages, prefix: str = "") -> list[dict]:
    """Flatten marshmallow's nested messages (whose leaves are our codes) into
    `[{field, code, message}]` with dotted paths such as `services.0.status`."""
    out: list[dict] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                path = prefix
            out.extend(field_errors(value, path))
    elif isinstance(messages, list | tuple):
        for item in messages:
            out.extend(field_errors(item, prefix))
    else:
        code = str(messages)
        if not code.startswith(("field.", "form.", "scope.", "attachment.", "sync.")):
            code = "field.invalid"
        out.append(field_error(prefix, code))
    return out


_HTTP_CODES = {
    400: "request.malformed",
    404: "request.not_found",
    405: "request.method_not_allowed",
    413: "request.too_large",
    414: "request.uri_too_long",
    415: "request.unsupported_media_type",
    431: "request.headers_too_large",
}


def _is_api() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, with Vietnamese kept readable and absurdly deep nesting turned into a
    parse error (so `get_json(silent=True)` sees None, not a RecursionError)."""

    ensure_ascii = False

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def _refuse_oversized_head() -> None:
    """A request line or headers over the app's limits get a problem, not gunicorn's or
    nginx's HTML page: both are configured to let through more than these limits
    (deploy/gunicorn.conf.py, deploy/nginx/cslp_forms.conf), so the app is the one that
    refuses, and says so in the way the phone reads."""
    config = current_app.config
    environ = request.environ
    uri = environ.get("RAW_URI") or request.full_path
    if len(uri) > int(config["MAX_URI_BYTES"]):
        raise RequestURITooLarge()
    fields = [value for key, value in environ.items()
              if key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH")]
    if (len(fields) > int(config["MAX_HEADER_FIELDS"])
            or any(len(value) > int(config["MAX_HEADER_BYTES"]) for value in fields)):
        raise RequestHeaderFieldsTooLarge()


def register_problem_handlers(app: Flask) -> None:
    app.before_request(_refuse_oversized_head)

    @app.before_request
    def refuse_bad_text():
        if _is_api() and (has_bad_text(request.view_args or {})
                          or has_bad_text(request.args.to_dict(flat=False))):
            raise Problem("request.malformed", say("request.bad_url_text"))
    @app.errorhandler(Problem)
    def handle_problem(problem: Problem):
        return problem_response(problem)

    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException):
        if not _is_api():
            return exc
        code = _HTTP_CODES.get(exc.code or 500)
        if exc.code == 413 and request.path.startswith("/api/attachments/"):
            code = "attachment.too_large"
        if code is None:
            problem = Problem("request.failed", status=exc.code)
            problem.title = exc.name
        else:
            problem = Problem(code)
        if exc.code == 405 and exc.valid_methods:
            problem.headers["Allow"] = ", ".join(exc.valid_methods)
        return problem_response(problem)

    @app.errorhandler(OperationalError)
    def handle_database_busy(exc: OperationalError):
        # The database is locked, in a deadlock, or out of reach: not the request's fault,
        # and worth trying again shortly (a phone's outbox does).
        log.warning("database unavailable on %s %s: %s", request.method, request.path,
                    exc.orig)
        from .extensions import db

        db.session.rollback()
        if not _is_api():
            return "Service Unavailable", 503, {"Retry-After": "5"}
        return problem_response(Problem("server.unavailable", headers={"Retry-After": "5"}))

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        # Never show a stack trace, SQL or a class name to a user: log it, answer plainly.
        log.exception("unhandled error on %s %s", request.method, request.path)
        from .extensions import db

        db.session.rollback()
        if not _is_api():
            return "Internal Server Error", 500
        return problem_response(Problem("server.error"))
