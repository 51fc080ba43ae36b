"""The management pages (/quan-ly/): parse, check (units.access via selectors and services), call a
service, render. Only administrators (and superusers) open them; anything outside the subtrees the
user administers answers 404, a change they may not make 403."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from bhxh_portal.importing.pending import pending_forget, pending_preview, pending_resource_import, pending_store
from units import access
from units.resources import UnitResource
from units.services.official_units import NEW_FROM

from . import selectors, services
from .forms import (
    AgentForm,
    CollectorForm,
    MembershipForm,
    UnitChildForm,
    UnitEditForm,
    UnitEndForm,
    UnitImportForm,
    UserCreateForm,
)


def administrator_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not access.can_any(request.user, "administration.manage"):
            raise PermissionDenied("Trang này dành cho quản trị viên của đơn vị.")
        return view(request, *args, **kwargs)

    return wrapped


def _form_errors(form, exc: ValidationError) -> None:
    """A service's refusal shown on the form: on its field when the form has it, above otherwise."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@administrator_required
def index(request):
    admin = request.user
    return render(request, "administration/index.html", {
        "top_units": selectors.administered_top_units(admin=admin)[:50],
        "user_count": selectors.managed_users(admin=admin).count(),
        "unit_count": selectors.units_in_scope(admin=admin).count(),
        "agent_count": selectors.agents_in_scope(admin=admin).count(),
    })


# --- users and memberships -----------------------------------------------------------------------

@administrator_required
def user_list(request):
    text = request.GET.get("q", "").strip()[:100]
    users = selectors.managed_users(admin=request.user, text=text)
    return render(request, "administration/user_list.html", {
        "users": users[:selectors.LIST_LIMIT], "total": users.count(), "q": text, "limit": selectors.LIST_LIMIT})


@administrator_required
@require_http_methods(["GET", "POST"])
def user_create(request):
    form = UserCreateForm(request.POST or None, admin=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(by=request.user, username=data["username"], full_name=data["full_name"],
                                        email=data["email"], password=data["password1"], unit=data["unit"],
                                        role=data["role"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"Đã tạo tài khoản {user.username}.")
            return redirect("administration:user_detail", pk=user.pk)
    return render(request, "administration/user_create.html", {"form": form})


def _user_page(request, user, membership_form=None, status=200):
    admin = request.user
    membership_refusal = selectors.membership_refusal(admin=admin, user=user)
    return render(request, "administration/user_detail.html", {
        "managed": user,
        "memberships": user.scoped_memberships,
        "membership_refusal": membership_refusal,
        "account_refusal": selectors.account_refusal(admin=admin, user=user),
        "membership_form": None if membership_refusal else (membership_form or MembershipForm(admin=admin)),
    }, status=status)


@administrator_required
def user_detail(request, pk: int):
    return _user_page(request, selectors.managed_user_or_404(admin=request.user, pk=pk))


@administrator_required
@require_POST
def membership_add(request, pk: int):
    user = selectors.managed_user_or_404(admin=request.user, pk=pk)
    form = MembershipForm(request.POST, admin=request.user)
    if form.is_valid():
        try:
            membership = services.membership_add(by=request.user, user=user, unit=form.cleaned_data["unit"],
                                                 role=form.cleaned_data["role"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"Đã thêm vai trò {membership.get_role_display()} ở {membership.unit.name}.")
            return redirect("administration:user_detail", pk=user.pk)
    return _user_page(request, user, membership_form=form, status=400)


@administrator_required
@require_POST
def membership_remove(request, pk: int, membership_pk: int):
    user = selectors.managed_user_or_404(admin=request.user, pk=pk)
    membership = next((m for m in user.scoped_memberships if m.pk == membership_pk), None)
    if membership is None:
        raise Http404(selectors.NOT_FOUND)
    services.membership_remove(by=request.user, membership=membership)
    messages.success(request, f"Đã gỡ vai trò {membership.get_role_display()} ở {membership.unit.name}.")
    if selectors.is_managed_user(admin=request.user, user=user):
        return redirect("administration:user_detail", pk=user.pk)
    messages.info(request, f"{user.username} không còn phân quyền nào trong phạm vi của bạn.")
    return redirect("administration:user_list")


@administrator_required
@require_POST
def user_set_active(request, pk: int):
    user = selectors.managed_user_or_404(admin=request.user, pk=pk)
    active = request.POST.get("active") == "1"
    services.user_set_active(by=request.user, user=user, active=active)
    messages.success(request, f"Đã {'mở lại' if active else 'khóa'} tài khoản {user.username}.")
    return redirect("administration:user_detail", pk=user.pk)


# --- units ---------------------------------------------------------------------------------------

@administrator_required
def unit_list(request):
    text = request.GET.get("q", "").strip()[:100]
    include_ended = request.GET.get("ket_thuc") == "1"
    units = selectors.units_in_scope(admin=request.user, text=text, include_ended=include_ended)
    return render(request, "administration/unit_list.html", {
        "units": units[:selectors.LIST_LIMIT], "total": units.count(), "q": text, "include_ended": include_ended,
        "limit": selectors.LIST_LIMIT, "top_units": selectors.administered_top_units(admin=request.user)[:50],
        "official_provinces": selectors.official_load_provinces(admin=request.user)[:100],
        "reform_day": NEW_FROM})


@administrator_required
@require_POST
def unit_official_load(request):
    """Load the official unit list of a province the user administers, picked by its id among theirs:
    no code is taken from the form, so another province cannot be named."""
    provinces = selectors.official_load_provinces(admin=request.user)
    if not provinces.exists():
        raise PermissionDenied("Chỉ quản trị viên cấp tỉnh nạp được danh mục đơn vị hành chính chính thức; "
                               "bạn không quản trị tỉnh nào.")
    try:
        pk = int(request.POST.get("unit", ""))
    except ValueError:
        pk = None
    province = provinces.filter(pk=pk).first() if pk else (provinces.first() if provinces.count() == 1 else None)
    if province is None:
        raise Http404(selectors.NOT_FOUND)
    try:
        report = services.official_units_load_for_province(by=request.user, province=province,
                                                           before_2025=request.POST.get("before_2025") == "1")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("administration:unit_list")
    lines = [line.strip() for line in report.lines()]
    if report.unchanged:
        lines.append("Không có thay đổi: dữ liệu đã khớp danh mục chính thức.")
    for line in lines:
        messages.success(request, line)
    return redirect("administration:unit_list")


@administrator_required
@require_http_methods(["GET", "POST"])
def unit_detail(request, pk: int):
    unit = selectors.unit_in_scope_or_404(admin=request.user, pk=pk)
    can_change = access.can(request.user, "units.change", unit)
    form = UnitEditForm(request.POST or None, initial={
        "name": unit.name, "code": unit.code, "code_is_official": unit.code_is_official,
        "valid_from": unit.valid_from, "valid_to": unit.valid_to})
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied("Chỉ quản trị viên cấp trên sửa được đơn vị này.")
        if form.is_valid():
            try:
                services.unit_update(by=request.user, unit=unit, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, "Đã lưu đơn vị.")
                return redirect("administration:unit_detail", pk=unit.pk)
    return render(request, "administration/unit_detail.html", {
        "unit": unit, "form": form if can_change else None, "can_change": can_change,
        "can_add_child": selectors.child_levels(unit).exists() and unit.valid_to is None,
        "children": unit.children.select_related("level").order_by("valid_to", "code")[:selectors.LIST_LIMIT],
    })


@administrator_required
@require_http_methods(["GET", "POST"])
def unit_add_child(request, pk: int):
    parent = selectors.unit_in_scope_or_404(admin=request.user, pk=pk)
    form = UnitChildForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_add_child(by=request.user, parent=parent, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"Đã thêm {unit.name}.")
            return redirect("administration:unit_detail", pk=unit.pk)
    return render(request, "administration/unit_add_child.html", {"parent": parent, "form": form})


@administrator_required
@require_http_methods(["GET", "POST"])
def unit_end(request, pk: int):
    unit = selectors.unit_in_scope_or_404(admin=request.user, pk=pk)
    if not access.can(request.user, "units.change", unit):
        raise PermissionDenied("Chỉ quản trị viên cấp trên kết thúc được đơn vị này.")
    form = UnitEndForm(request.POST or None, initial={"valid_to": unit.valid_to})
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_end(by=request.user, unit=unit, valid_to=form.cleaned_data["valid_to"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"{unit.name} hết hiệu lực sau ngày {form.cleaned_data['valid_to']:%d/%m/%Y}.")
            return redirect("administration:unit_detail", pk=unit.pk)
    return render(request, "administration/unit_end.html", {"unit": unit, "form": form})


IMPORT_SESSION_KEY = "administration_unit_import"


@administrator_required
@require_http_methods(["GET", "POST"])
def unit_import(request):
    """Upload, check (nothing written), then confirm: the same unit importer as `manage.py import_data
    units`, with every row held to the subtrees the user administers."""
    pending = request.session.get(IMPORT_SESSION_KEY)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "confirm":
        if not pending or request.POST.get("token") != pending.get("token"):
            messages.error(request, "Phiên nhập tệp đã hết hạn; hãy tải tệp lên lại.")
            return redirect("administration:unit_import")
        report = _run_unit_import(request, pending, dry_run=False)
        pending_forget(request, key=IMPORT_SESSION_KEY)
        if report is not None and report.ok:
            messages.success(request, report.summary())
            return redirect("administration:unit_import")
        return render(request, "administration/unit_import.html", {"form": UnitImportForm(), "report": report})
    if action == "cancel":
        pending_forget(request, key=IMPORT_SESSION_KEY)
        messages.info(request, "Đã hủy, không ghi gì.")
        return redirect("administration:unit_import")
    form = UnitImportForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        pending = pending_store(request, key=IMPORT_SESSION_KEY, upload=form.cleaned_data["file"])
        report = _run_unit_import(request, pending, dry_run=True)
        ok = report is not None and report.ok
        if not ok:
            pending_forget(request, key=IMPORT_SESSION_KEY)
        context.update({"report": report, "pending": pending if ok else None,
                        "preview": pending_preview(pending) if ok else None})
    return render(request, "administration/unit_import.html", context)


def _run_unit_import(request, pending, *, dry_run: bool):
    return pending_resource_import(request, pending, resource=UnitResource(user=request.user), dry_run=dry_run)


# --- agents and collectors -----------------------------------------------------------------------

@administrator_required
def agent_list(request):
    text = request.GET.get("q", "").strip()[:100]
    agents = selectors.agents_in_scope(admin=request.user, text=text)
    return render(request, "administration/agent_list.html", {
        "agents": agents[:selectors.LIST_LIMIT], "total": agents.count(), "q": text, "limit": selectors.LIST_LIMIT})


@administrator_required
@require_http_methods(["GET", "POST"])
def agent_create(request):
    form = AgentForm(request.POST or None, admin=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agent = services.agent_create(by=request.user, unit=data["unit"], name=data["name"], kind=data["kind"],
                                          code=data["code"], communes=list(data["communes"]))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"Đã thêm đại lý {agent.name}.")
            return redirect("administration:agent_detail", pk=agent.pk)
    return render(request, "administration/agent_form.html", {"form": form, "agent": None})


@administrator_required
@require_http_methods(["GET", "POST"])
def agent_detail(request, pk: int):
    agent = selectors.agent_in_scope_or_404(admin=request.user, pk=pk)
    form = AgentForm(request.POST or None, admin=request.user, initial={
        "name": agent.name, "kind": agent.kind, "code": agent.code, "unit": agent.unit,
        "communes": list(agent.communes.all()), "is_active": agent.is_active})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.agent_update(by=request.user, agent=agent, unit=data["unit"], name=data["name"],
                                  kind=data["kind"], code=data["code"], communes=list(data["communes"]),
                                  is_active=data["is_active"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Đã lưu đại lý.")
            return redirect("administration:agent_detail", pk=agent.pk)
    return render(request, "administration/agent_form.html", {
        "form": form, "agent": agent, "collectors": agent.collectors.select_related("user"),
        "collector_form": CollectorForm(admin=request.user)})


@administrator_required
@require_POST
def agent_set_active(request, pk: int):
    agent = selectors.agent_in_scope_or_404(admin=request.user, pk=pk)
    active = request.POST.get("active") == "1"
    services.agent_set_active(by=request.user, agent=agent, active=active)
    messages.success(request, f"Đại lý {agent.name} {'hoạt động lại' if active else 'đã ngừng hoạt động'}.")
    return redirect("administration:agent_detail", pk=agent.pk)


@administrator_required
@require_http_methods(["GET", "POST"])
def collector_create(request, pk: int):
    agent = selectors.agent_in_scope_or_404(admin=request.user, pk=pk)
    form = CollectorForm(request.POST or None, admin=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.collector_create(by=request.user, agent=agent, full_name=data["full_name"], phone=data["phone"],
                                      user=data["user"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"Đã thêm nhân viên thu {data['full_name']}.")
            return redirect("administration:agent_detail", pk=agent.pk)
    return render(request, "administration/collector_form.html", {"form": form, "agent": agent, "collector": None})


@administrator_required
@require_http_methods(["GET", "POST"])
def collector_detail(request, pk: int, collector_pk: int):
    agent = selectors.agent_in_scope_or_404(admin=request.user, pk=pk)
    collector = selectors.collector_in_scope_or_404(agent=agent, pk=collector_pk)
    form = CollectorForm(request.POST or None, admin=request.user, current_user=collector.user, initial={
        "full_name": collector.full_name, "phone": collector.phone, "user": collector.user,
        "is_active": collector.is_active})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.collector_update(by=request.user, collector=collector, full_name=data["full_name"],
                                      phone=data["phone"], user=data["user"], is_active=data["is_active"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Đã lưu nhân viên thu.")
            return redirect("administration:agent_detail", pk=agent.pk)
    return render(request, "administration/collector_form.html", {
        "form": form, "agent": agent, "collector": collector})


# --- reference data ------------------------------------------------------------------------------

@administrator_required
def reference_data(request):
    return render(request, "administration/reference_data.html", {
        "tables": selectors.reference_tables(admin=request.user)})
