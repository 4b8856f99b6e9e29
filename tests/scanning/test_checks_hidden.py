"""hidden_link (暗链): links to another site that a reader of the page cannot see."""
import pytest

from scanning.checks import HIDDEN_LINK, check_hidden_links

PAGE_URL = "http://www.tongliao.gov.cn/xxgk/index.html"
BAD = "http://www.bet-365-casino.example.com/"


def page(body: str, style: str = "") -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{style}</style></head>"
            f"<body><h1>通辽市人民政府</h1><p>正文</p>{body}<div class='footer'>版权所有</div></body></html>")


def found(html: str):
    return [(h.rule, h.match) for h in check_hidden_links(html, PAGE_URL)]


@pytest.mark.parametrize(("body", "style"), [
    (f'<a href="{BAD}" style="display:none">博彩</a>', ""),
    (f'<div style="display: none !important"><p><a href="{BAD}">博彩</a></p></div>', ""),
    (f'<a href="{BAD}" style="visibility:hidden">博彩</a>', ""),
    (f'<div style="width:0;height:0;overflow:hidden"><a href="{BAD}">博彩</a></div>', ""),
    (f'<span style="display:block;height:0px;overflow:hidden"><a href="{BAD}">博彩</a></span>', ""),
    (f'<div style="position:absolute;left:-9999px;top:0"><a href="{BAD}">博彩</a></div>', ""),
    (f'<p style="text-indent:-5000px"><a href="{BAD}">博彩</a></p>', ""),
    (f'<a href="{BAD}" style="font-size:0">博彩</a>', ""),
    (f'<div style="font-size:1px"><a href="{BAD}">博彩</a></div>', ""),
    (f'<div style="font-size:10px"><span style="font-size:0.05em"><a href="{BAD}">博彩</a></span></div>', ""),
    (f'<div style="background:#FFFFFF"><a href="{BAD}" style="color:#fff">博彩</a></div>', ""),
    (f'<a href="{BAD}" style="color: white">博彩</a>', "body { background-color: white }"),
    (f'<div style="background-color: rgb(0, 0, 0)"><a href="{BAD}" style="color:#000">博彩</a></div>', ""),
    (f'<a href="{BAD}" style="color:transparent">博彩</a>', ""),
    (f'<a href="{BAD}" style="opacity:0">博彩</a>', ""),
    (f'<div hidden><a href="{BAD}">博彩</a></div>', ""),
    (f'<div class="ad"><a href="{BAD}">博彩</a></div>', ".ad { display: none }"),
    (f'<div id="links"><a href="{BAD}">博彩</a></div>', "#links{visibility:hidden}"),
    (f'<marquee><a href="{BAD}">博彩</a></marquee>', "marquee{position:absolute;top:-1000px}"),
    (f'<div class="box"><ul><li><a href="{BAD}">博彩</a></li></ul></div>', "div.box ul { height: 0; overflow: hidden }"),
    (f'<div class="x y"><a href="{BAD}">博彩</a></div>', "/* 样式 */ .y{opacity:0.0} a:hover{color:red}"),
])
def test_every_way_of_hiding_a_link_to_another_site_is_found(body, style):
    hits = check_hidden_links(page(body, style), PAGE_URL)
    assert [(h.rule, h.match) for h in hits] == [(HIDDEN_LINK, BAD)]
    assert hits[0].detail["reason"]
    assert "博彩" in hits[0].excerpt


def test_relative_and_protocol_relative_links_are_resolved():
    html = page('<div style="display:none"><a href="//casino.example.net/x">x</a><a href="/local">本站</a></div>')
    assert found(html) == [(HIDDEN_LINK, "http://casino.example.net/x")]


def test_visible_links_and_hidden_links_to_the_site_itself_are_not_hidden_links():
    html = page(
        f'<a href="{BAD}">友情链接</a>'
        '<div style="display:none"><a href="/xxgk/2.html">二级</a><a href="http://tongliao.gov.cn/a">本站</a></div>'
        '<a href="javascript:void(0)" style="display:none">js</a><a href="mailto:x@y.cn" style="display:none">m</a>'
        '<div style="font-size:14px;color:#333;background:#fff"><a href="https://www.gov.cn/">中国政府网</a></div>'
        f'<div style="position:relative;left:-10px"><a href="{BAD}?2">轻微偏移</a></div>'
        f'<div style="height:0"><a href="{BAD}?3">溢出可见</a></div>'  # no overflow:hidden: the text spills out
        f'<div style="background:#003 url(/img/bar.png)"><a href="{BAD}?4" style="color:#003">图片背景</a></div>'
        f'<a href="{BAD}?5" style="color:#fff">外部样式表可能设置深色背景</a>'
    )
    assert found(html) == []


def test_collapsed_menus_of_sister_government_sites_are_not_hidden_links():
    html = page('<ul class="menu" style="display:none"><li><a href="http://www.nmg.gov.cn/">自治区政府</a></li>'
                '<li><a href="http://kezuozhongqi.政务/">科左中旗</a></li></ul>')
    assert found(html) == []


def test_an_inline_style_overrides_a_hiding_rule_and_visibility_can_be_turned_back_on():
    html = page(f'<div class="ad" style="display:block"><a href="{BAD}">广告</a></div>'
                f'<div style="visibility:hidden"><a style="visibility:visible" href="{BAD}?v">可见</a></div>',
                ".ad{display:none}")
    assert found(html) == []


def test_a_link_reached_twice_is_one_hit_and_broken_markup_still_parses():
    html = (f'<html><body><div style="display:none"><a href="{BAD}">1</a><a href="{BAD}">2</a>'
            f'<p><div style="display:none"><a href="http://porn.example.org/">3</b></td>')
    assert found(html) == [(HIDDEN_LINK, BAD), (HIDDEN_LINK, "http://porn.example.org/")]
    assert check_hidden_links("", PAGE_URL) == []
    assert check_hidden_links("<style>{{{</style><a href='http://x.example/' style='display:'>x</a>", PAGE_URL) == []
