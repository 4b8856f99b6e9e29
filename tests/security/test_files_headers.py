"""Headers and what pages may load (issue 12, item 7): a Content-Security-Policy of our own origin on every
page (nonces on the few <style> blocks, no inline script), outside images in post bodies refused unless their
host is on POST_IMAGE_HOSTS, the schema and API docs behind sign-in when API_DOCS_LOGIN_REQUIRED is on."""
import re
from pathlib import Path

import pytest
from django.test import Client

from publishing.checks import check_post
from tests.factories import AccountFactory, PostFactory, token_for

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def csp(response) -> dict:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_page_carries_a_self_only_policy(client, region):
    policy = csp(client.get("/login/"))
    assert policy["default-src"] == ["'self'"] and policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    client.force_login(region.member)
    response = client.get("/")
    policy = csp(response)
    # The bell's <style> block carries this response's nonce, and only that nonce is allowed.
    nonces = [v for v in policy["style-src"] if v.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = nonces[0][len("'nonce-"):-1]
    assert f'<style nonce="{nonce}">' in response.content.decode()
    # Another response, another nonce.
    assert csp(client.get("/"))["style-src"] != policy["style-src"]


def test_no_template_has_inline_script_or_handlers():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline script in {template}"
        assert not re.search(r"\son[a-z]+\s*=\s*[\"']", text), f"inline handler in {template}"
        for style in re.findall(r"<style[^>]*>", text):
            assert "nonce=" in style, f"<style> without nonce in {template}"


def test_schema_and_docs_need_sign_in_when_required(settings, region):
    settings.API_DOCS_LOGIN_REQUIRED = True
    for url in ("/api/schema/", "/api/docs/"):
        assert Client().get(url).status_code in (401, 403)
    token = Client(HTTP_AUTHORIZATION=f"Token {token_for(region.member)}")
    assert token.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").status_code == 200
    signed_in = Client()
    signed_in.force_login(region.member)
    page = signed_in.get("/api/docs/")
    assert page.status_code == 200
    # The docs page starts Swagger UI from a script of ours, not inline: it runs under the CSP.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.content.decode())
    settings.API_DOCS_LOGIN_REQUIRED = False
    assert Client().get("/api/schema/").status_code == 200


def test_production_settings_keep_the_docs_behind_sign_in():
    from govmedia.settings import base

    assert base.API_DOCS_LOGIN_REQUIRED is True  # the default wherever the environment does not say otherwise


def test_outside_images_in_a_post_body_are_refused_unless_allowed(region, settings):
    settings.POST_IMAGE_HOSTS = ["img.gov.cn"]
    settings.SITE_URL = "https://zw.example.gov.cn"
    body = ('<p>图</p><img src="https://tracker.example.com/p.png"><img src="https://cdn.img.gov.cn/a.png">'
            '<img src="/files/attachment/1/"><img src="https://zw.example.gov.cn/b.png">'
            '<p><a href="https://tracker.example.com/">链接</a></p>')
    post = PostFactory(organisation=region.bureau, author=region.member, body=body)
    result = check_post(post)
    refused = [p for p in result.blocking if p.code == "external_image"]
    assert [p.text for p in refused] == ["https://tracker.example.com/p.png"]
    assert "tracker.example.com" in refused[0].message and "白名单" in refused[0].message
    # A link to the same host is still only a warning; an image is not reported twice.
    assert [p.text for p in result.warnings if p.code == "external_link"] == ["https://tracker.example.com/"]


def test_a_submit_with_an_outside_image_is_a_400(api, region, settings):
    settings.POST_IMAGE_HOSTS = []
    post = PostFactory(organisation=region.bureau, author=region.member,
                       body='<p>正文</p><img src="https://tracker.example.com/p.png">')
    post.accounts.add(AccountFactory(owner=region.bureau))
    response = api.as_user(region.member).post(f"/api/v1/posts/{post.pk}/submit/", {}, format="json")
    assert response.status_code == 400, response.content
    assert any(p["code"] == "external_image" for p in response.json()["problems"])


def test_the_image_allow_list_is_also_the_policys_img_src(tmp_path):
    """One setting: POST_IMAGE_HOSTS from the environment reaches both the content check and the CSP."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "govmedia.settings.test", "POST_IMAGE_HOSTS": "img.gov.cn",
           "GOVMEDIA_VAR_DIR": str(tmp_path)}
    code = ("import django; django.setup()\n"
            "from django.conf import settings\n"
            "print(settings.POST_IMAGE_HOSTS, settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "['img.gov.cn'] [\"'self'\", 'data:', 'https://img.gov.cn', 'http://img.gov.cn']"
