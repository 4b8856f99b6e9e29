"""Demo posts of 县教育局 and the county's word lists.

Channels are the demo portal's columns the bureau may publish to and its live accounts (added by the sites and
accounts areas before this one); without any, only drafts are seeded, since a post needs a channel to be
submitted. Every post is written here, in `region["posts"]` by name; the review area's demo (run next) then
takes each through 三审三校 to the state its name says (`review/demo.py`).
"""
import datetime as dt

from django.utils import timezone

from .selectors import channel_querysets
from .models import Post
from .services import post_create, word_list_replace

WORD_LISTS = {
    "sensitive": ["绝密", "机密", "内部资料", "内部文件", "秘密级"],
    "advertising": ["限时抢购", "全网最低价", "扫码领红包", "加微信咨询", "代理加盟", "taobao.com", "pinduoduo.com"],
    "correction": [("国务院办公室", "国务院办公厅"), ("村委会", "村民委员会"), ("清源县政府", "清源县人民政府"),
                   ("启用", "起用"), ("截止到", "截至")],
    "allowlist": ["gov.cn", "people.com.cn", "xinhuanet.com", "news.cn", "weixin.qq.com", "cctv.com"],
}
STAGE_TITLES = [
    "县教育局召开秋季学期安全工作会议", "全县中小学开展防溺水专题教育", "清源县第一中学获评省级文明校园",
    "县教育局部署2026年中考考务工作", "全县幼儿园开展教师技能比赛", "县教育局开展“双减”落实情况督导",
]


def seed_area(region, stdout):
    people, units, root = region["people"], region["units"], region["root"]
    office = people["office_zhang"]
    for kind, entries in WORD_LISTS.items():
        pairs = [e if isinstance(e, tuple) else (e, "") for e in entries]
        word_list_replace(organisation=root, kind=kind, entries=pairs, actor=office)

    edu = units["县教育局"]
    author = people["edu_editor"]
    columns, accounts = channel_querysets(edu)
    columns, accounts = list(columns[:2]), list(accounts[:2])
    posts = region["posts"] = {}

    def new(title, body, **extra):
        return post_create(actor=author, organisation=edu, title=title, body=body, columns=columns, accounts=accounts, **extra)

    posts["draft"] = new("清源县2026年义务教育招生工作方案（草稿）", "<p>根据上级要求，结合我县实际，制定本方案。</p>")
    posts["blocked"] = new("关于内部资料管理的说明", "<p>本文含有<b>内部资料</b>字样，提交时会被内容检查拦下。</p>")
    if not columns and not accounts:
        stdout.write("稿件演示：县教育局没有可用的栏目或账号，只创建草稿。")
        return

    # stage1 … stage6: in review at 一审 … 三校.
    for number, title in enumerate(STAGE_TITLES, start=1):
        posts[f"stage{number}"] = new(title, f"<p>{title}。会议强调，要压实责任、细化措施，确保各项工作落到实处。</p>")
    posts["warned"] = new(
        "关于转发国务院办公室通知的说明",
        '<p>根据国务院办公室通知精神，详见 <a href="https://www.example.com/notice">相关链接</a>，'
        '村委会要做好宣传。</p>',
        kind="policy",
    )
    posts["major"] = new("关于调整城区学区划分的通告", "<p>为优化教育资源配置，经县人民政府同意，调整城区学区划分。</p>",
                         sensitivity="major")
    posts["returned"] = new("县教育局2026年上半年工作总结", "<p>上半年，全县教育系统共完成……</p>")
    posts["scheduled"] = new("2026年秋季学期开学时间安排", "<p>全县中小学于9月1日正式开学。</p>",
                             publish_at=timezone.now() + dt.timedelta(days=30))
    for number, title in enumerate(["县教育局召开2026年教育工作会议", "全县教师节表彰大会隆重举行"], start=1):
        posts[f"published{number}"] = new(title, f"<p>{title}，县委、县政府有关领导出席。</p>")
    posts["reprint"] = new("教育部：做好2026年高校毕业生就业工作", "<p>教育部日前印发通知……</p>", origin="reprint",
                           source_name="教育部网站", source_url="https://www.moe.gov.cn/")
    posts["withdrawn"] = new("关于暂停校外培训机构审批的通知", "<p>（已撤回）</p>")
    stdout.write(f"稿件演示：{Post.objects.filter(organisation=edu).count()} 篇稿件，词表 {len(WORD_LISTS)} 个。")
