"""What a locked-out caller sees: JSON for the API, the Chinese page for the browser."""
from django.http import JsonResponse
from django.shortcuts import render

MESSAGE = "登录失败次数过多，该账户已被暂时锁定，请30分钟后再试或联系管理员解锁。"


def lockout_response(request, original_response=None, credentials=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": MESSAGE}, status=429)
    return render(request, "registration/locked_out.html", {"message": MESSAGE}, status=429)
