"""A URLconf with deliberately unscoped views, to prove the walker catches them."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from vcio.core.models import Client, Department
from vcio.core.scoping import get_for_user_or_404


@login_required
def leak(request, client):
    # The bug the walker must catch: no for_user().
    return HttpResponse(Client.objects.get(slug=client).internal_notes)


@login_required
def leak_list(request):
    return HttpResponse(", ".join(Department.objects.values_list("name", flat=True)))


@csrf_exempt
@login_required
def leak_write(request, client):
    if request.method == "POST":
        Client.objects.filter(slug=client).update(employee_count=1)
    return HttpResponse(status=403)


@login_required
def safe(request, client):
    return HttpResponse(get_for_user_or_404(Client, request.user, slug=client).name)


urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("leak/<slug:client>/", leak),
    path("leak-list/", leak_list),
    path("leak-write/<slug:client>/", leak_write),
    path("safe/<slug:client>/", safe),
]
