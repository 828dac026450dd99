"""Demo content: about sixty Chinese items across the three categories and the product lines.

Each item gets one to nine picture cards drawn with Pillow and run through the shared image
pipeline. Most are approved; a few break the rules on purpose (the checker flags them, so they
stay in review) to show curators what a finding looks like. Safe to run twice: items are
found by title.
"""

from __future__ import annotations

import datetime
import io

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from content.models import ContentItem, Status
from content.services import content_create, content_image_add, content_transition
from crm.models import User

UNCERTAIN = "红利分配是不确定的，保单利益以合同为准。"

# (title, body, category, product line, topic tags, audience tags)
STORIES = [
    (
        "张姐的一次理赔",
        "去年张姐体检查出甲状腺结节，术后按合同申请理赔，材料齐全，十几天就到账了。她说最庆幸的是三年前没有拖。",
        "critical_illness",
        "理赔,重疾",
        "宝妈",
    ),
    (
        "凌晨两点的急诊",
        "朋友孩子半夜高烧去急诊，住院五天花了一万多。好在之前配了医疗险，出院后按条款报销了大部分。",
        "medical",
        "医疗,少儿",
        "宝妈",
    ),
    (
        "骑车摔了一跤",
        "楼下王叔骑电动车摔伤了腿，门诊加住院花了六千多，意外险按条款报销了医疗费用。出门戴好头盔！",
        "accident",
        "意外,出行",
        "中老年",
    ),
    (
        "一位父亲的选择",
        "客户李先生是家里唯一的经济来源。我们一起算了房贷和孩子教育的缺口，他最后配了一份定期寿险。",
        "life",
        "家庭责任,寿险",
        "家庭支柱",
    ),
    (
        "退休后的那份安心",
        "刘阿姨每个月领一笔年金，她说不多，但每个月按时到账，心里踏实。领取金额以合同约定为准。",
        "annuity",
        "养老,年金",
        "中老年",
    ),
    (
        "我为什么做保险",
        "做保险第五年。最难忘的不是签单，是陪客户走完理赔的那一天。谢谢每一位信任我的朋友。",
        "",
        "日常,初心",
        "",
    ),
    (
        "周末的客户答谢会",
        "周末和二十几位客户一起喝茶聊天，聊孩子、聊健康、聊退休。保险之外，我们更像朋友。",
        "",
        "日常,活动",
        "",
    ),
    (
        "带娃体检的一天",
        "今天带女儿做体检，顺便提醒大家：给孩子配保险前，体检报告和就诊记录要如实告知。",
        "medical",
        "健康告知,少儿",
        "宝妈",
    ),
    (
        "一张迟到的保单",
        "有位朋友犹豫了两年，今年体检多了几项异常，再投保只能除外承保。健康的时候才有选择权。",
        "critical_illness",
        "健康告知,重疾",
        "年轻白领",
    ),
    (
        "给爸妈的礼物",
        "春节给爸妈配了意外险，老人最怕摔，一份保障一份安心。具体保障以条款为准。",
        "accident",
        "意外,孝心",
        "中老年",
    ),
    (
        "老客户的转介绍",
        "今天一位老客户介绍了她的同事来咨询，没有比这更好的认可了。谢谢你们！",
        "",
        "日常,感谢",
        "",
    ),
    (
        "我家的保单整理",
        "花了一晚上把家里所有保单整理成一张表：谁保了什么、保多少、什么时候交费，一目了然。",
        "",
        "保单整理,家庭",
        "家庭支柱",
    ),
    (
        "分红险的第一份报告",
        "客户收到了第一年的分红报告，我们一起看了实际分红和演示利益的区别。" + UNCERTAIN,
        "participating",
        "分红,年度报告",
        "中产家庭",
    ),
    (
        "一位创业者的规划",
        "做外贸的陈总说，生意有起有落，想给家里留一笔确定的钱。我们一起梳理了他的需求。",
        "life",
        "企业主,传承",
        "企业主",
    ),
    (
        "住院时的一通电话",
        "客户住院那天给我打电话，我第一时间告诉她要准备哪些材料，出院后顺利理赔。",
        "medical",
        "理赔,医疗",
        "年轻白领",
    ),
    (
        "万能账户怎么看",
        "帮客户解读万能险年报：结算利率每月公布，保证利率以合同为准，超出部分不确定。"
        + "保单利益具有不确定性。",
        "universal",
        "万能,年度报告",
        "中产家庭",
    ),
    (
        "投连账户的一年",
        "客户的投连账户今年有涨有跌，我们一起复盘了资产配置。投连险可能出现亏损，风险由投保人承担。",
        "unit_linked",
        "投连,风险",
        "中产家庭",
    ),
    (
        "她的第一份保险",
        "刚工作的小林用第一个月工资给自己配了医疗险和意外险，她说这是送给自己的成年礼。",
        "medical",
        "年轻人,入门",
        "年轻白领",
    ),
    (
        "一次拒赔的复盘",
        "有位朋友投保时没告知高血压，理赔时产生了争议。健康告知一定要如实，这是保护自己。",
        "critical_illness",
        "健康告知,理赔",
        "",
    ),
    (
        "雨天送资料",
        "下雨天去客户家送保单，阿姨泡了一壶热茶。这份工作最珍贵的是人与人之间的信任。",
        "",
        "日常",
        "中老年",
    ),
]

VALUES = [
    (
        "重疾险的等待期是什么",
        "等待期内确诊，一般不赔保额，通常退还已交保费。不同产品的等待期不同，以条款为准。",
        "critical_illness",
        "重疾,条款",
        "",
    ),
    (
        "医疗险的免赔额",
        "免赔额是自己先承担的部分，比如一万元免赔额，超出部分才按比例报销。以条款为准。",
        "medical",
        "医疗,条款",
        "年轻白领",
    ),
    (
        "意外险保什么",
        "意外险保的是外来的、突发的、非本意的、非疾病的伤害。猝死是否保障要看条款。",
        "accident",
        "意外,科普",
        "",
    ),
    (
        "定期寿险和终身寿险",
        "定期寿险保一段时间，保费低；终身寿险保一辈子，兼顾传承。按家庭责任期选择。",
        "life",
        "寿险,科普",
        "家庭支柱",
    ),
    (
        "年金险适合谁",
        "年金险适合有长期规划需求、能承受资金锁定期的人。先做好保障，再考虑年金。",
        "annuity",
        "年金,养老",
        "中产家庭",
    ),
    (
        "分红险的分红从哪来",
        "分红来自保险公司的经营盈余，包括利差、死差、费差。" + UNCERTAIN,
        "participating",
        "分红,科普",
        "中产家庭",
    ),
    (
        "万能险的保证利率",
        "万能账户有保证利率，实际结算利率按月公布，超出保证的部分不确定。保单利益具有不确定性。",
        "universal",
        "万能,科普",
        "",
    ),
    (
        "投连险是什么",
        "投连险的账户价值随投资单位价格变动，可能出现亏损，适合风险承受能力较高的人。",
        "unit_linked",
        "投连,科普",
        "",
    ),
    (
        "健康告知怎么填",
        "问什么答什么，不问不答；拿不准的，翻出病历再对照问题。如实告知是理赔的前提。",
        "",
        "健康告知,投保",
        "",
    ),
    (
        "家庭保险配置顺序",
        "先大人后小孩，先保障后理财；先配医疗意外，再配重疾寿险。",
        "",
        "配置,家庭",
        "家庭支柱",
    ),
    (
        "保额怎么定",
        "重疾保额可以参考三到五年的收入，覆盖治疗和康复期间的收入损失。",
        "critical_illness",
        "保额,重疾",
        "",
    ),
    (
        "百万医疗险的续保",
        "关注是否保证续保、保证几年。产品调整后能否续保，以合同约定为准。",
        "medical",
        "医疗,续保",
        "",
    ),
    (
        "少儿保险先配什么",
        "孩子最常见的风险是生病住院和意外，先配医疗险、意外险，再考虑少儿重疾。",
        "medical",
        "少儿,配置",
        "宝妈",
    ),
    (
        "老人还能买什么保险",
        "年龄大了，重疾险保费高、核保严，可以优先考虑意外险和防癌医疗险。",
        "accident",
        "老人,配置",
        "中老年",
    ),
    (
        "现金价值是什么",
        "退保时能拿回的钱就是现金价值，前几年通常低于已交保费，退保要慎重。",
        "life",
        "现金价值,科普",
        "",
    ),
    (
        "犹豫期有多长",
        "长期险一般有15天犹豫期，期内退保只扣少量工本费。拿到合同要认真看。",
        "",
        "犹豫期,投保",
        "",
    ),
    (
        "年金险的领取方式",
        "年金可以按年或按月领取，领取时间和金额以合同约定为准，提前规划更从容。",
        "annuity",
        "年金,领取",
        "中老年",
    ),
    (
        "保单受益人怎么写",
        "指定受益人可以让理赔款更快到达想给的人手里，避免成为遗产。",
        "life",
        "受益人,传承",
        "企业主",
    ),
    (
        "理赔需要哪些材料",
        "一般需要理赔申请书、身份证明、病历、发票和银行卡，具体以保险公司要求为准。",
        "",
        "理赔,材料",
        "",
    ),
    (
        "保费怎么交才安全",
        "请通过保险公司官方渠道、本人账户缴费，不要把保费转给任何个人。",
        "",
        "缴费,安全",
        "",
    ),
]

ADS = [
    (
        "重疾险：一次确诊早安排",
        "这款重疾险覆盖多种重大疾病，轻症中症也有保障，保障范围以条款为准。欢迎私信了解。执业证编号见个人签名。",
        "critical_illness",
        "重疾,产品",
        "年轻白领",
    ),
    (
        "百万医疗：大病住院有报销",
        "住院医疗费用按条款报销，含外购药责任。投保前请阅读条款和健康告知。执业证编号见个人签名。",
        "medical",
        "医疗,产品",
        "",
    ),
    (
        "全家意外险方案",
        "一家人一份方案，意外医疗、意外伤残都有保障，详见条款。执业证编号见个人签名。",
        "accident",
        "意外,产品",
        "家庭支柱",
    ),
    (
        "定期寿险：给家人一份责任",
        "保障到60岁，身故或全残按保额赔付，保费以实际投保为准。执业证编号见个人签名。",
        "life",
        "寿险,产品",
        "家庭支柱",
    ),
    (
        "养老年金规划",
        "交费期结束后按约定领取年金，具体领取金额以合同为准。欢迎预约做一次养老测算。执业证编号见个人签名。",
        "annuity",
        "年金,产品",
        "中老年",
    ),
    (
        "分红型年金介绍",
        "保证领取部分以合同为准。" + UNCERTAIN + "执业证编号见个人签名。",
        "participating",
        "分红,产品",
        "中产家庭",
    ),
    (
        "万能账户：灵活追加",
        "可以灵活追加和部分领取，保证利率以合同为准，保单利益具有不确定性。执业证编号见个人签名。",
        "universal",
        "万能,产品",
        "企业主",
    ),
    (
        "少儿医疗险上新",
        "新生儿出生满28天即可投保，门诊住院有保障，详见条款。执业证编号见个人签名。",
        "medical",
        "少儿,产品",
        "宝妈",
    ),
    (
        "防癌医疗险：老人也能保",
        "投保年龄放宽，健康告知较宽松，保障内容以条款为准。执业证编号见个人签名。",
        "medical",
        "老人,产品",
        "中老年",
    ),
    (
        "投连账户介绍",
        "投连险账户价值随市场波动，可能出现亏损，请根据风险承受能力选择。执业证编号见个人签名。",
        "unit_linked",
        "投连,产品",
        "中产家庭",
    ),
    (
        "企业主的寿险规划",
        "大额终身寿险可用于家庭财富传承，具体方案需结合家庭情况。执业证编号见个人签名。",
        "life",
        "传承,产品",
        "企业主",
    ),
    (
        "重疾险：体检异常也可以问问",
        "部分结节、血压异常可以尝试智能核保，结论以保险公司核保为准。执业证编号见个人签名。",
        "critical_illness",
        "核保,产品",
        "",
    ),
    (
        "意外险：出行必备",
        "出差旅游都有保障，交通意外额外赔付，详见条款。执业证编号见个人签名。",
        "accident",
        "出行,产品",
        "年轻白领",
    ),
    (
        "医疗险续保提醒",
        "已投保的朋友注意续保时间，避免断保。续保条件以合同为准。执业证编号见个人签名。",
        "medical",
        "续保,提醒",
        "",
    ),
]

# Written to break the rules: the checker flags these, so they stay in review.
FLAGGED = [
    (
        "【待修改】年金稳赚",
        "这款年金稳赚不赔，零风险，比存款利息高多了！",
        "ad",
        "annuity",
        "年金",
        "",
    ),
    (
        "【待修改】全网最好的重疾险",
        "全网最好的重疾险，下月停售快上车！",
        "ad",
        "critical_illness",
        "重疾",
        "",
    ),
    ("【待修改】分红险年年分", "分红险年年分8%，闭眼买！", "ad", "participating", "分红", ""),
    ("【待修改】代缴保费", "不方便交费的，转我微信帮你代缴，省心。", "value", "", "缴费", ""),
    ("【待修改】投保返现", "本周投保返20%现金，名额有限！", "ad", "medical", "医疗", ""),
    ("【待修改】监管认证", "金融监管总局认证产品，放心买。", "ad", "life", "寿险", ""),
]

COLOURS = {"story": (37, 99, 235), "value": (11, 110, 79), "ad": (180, 83, 9)}


def _card(category: str, number: int, index: int, total: int) -> bytes:
    """A coloured picture card with a few words and shapes, as PNG bytes."""
    base = COLOURS[category]
    shade = tuple(min(255, c + 18 * (index % 4)) for c in base)
    image = Image.new("RGB", (720, 720), shade)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((48, 48, 672, 672), radius=48, outline=(255, 255, 255), width=8)
    draw.ellipse((440, 100, 620, 280), fill=tuple(min(255, c + 70) for c in base))
    font = ImageFont.load_default(size=72)
    small = ImageFont.load_default(size=44)
    draw.text((90, 330), category.upper(), fill=(255, 255, 255), font=font)
    draw.text((90, 420), f"SIYU #{number:02d}", fill=(255, 255, 255), font=small)
    draw.text((90, 580), f"{index + 1}/{total}", fill=(255, 255, 255), font=small)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _all_items() -> list[tuple[str, str, str, str, str, str]]:
    rows = [(t, b, "story", p, tt, a) for t, b, p, tt, a in STORIES]
    rows += [(t, b, "value", p, tt, a) for t, b, p, tt, a in VALUES]
    rows += [(t, b, "ad", p, tt, a) for t, b, p, tt, a in ADS]
    rows += FLAGGED
    return rows


def seed(stdout=None) -> None:
    """Create the demo library (skipping items that already exist, by title)."""
    curator = User.objects.filter(username="curator").first()
    existing = set(ContentItem.objects.values_list("title", flat=True))
    today = timezone.localdate()
    created = 0
    for number, (title, body, category, product, topics, audience) in enumerate(_all_items()):
        if title in existing:
            continue
        with transaction.atomic():
            item = content_create(
                actor=curator,
                title=title,
                body=body,
                category=category,
                product_line=product,
                topic_tags=topics.split(","),
                audience_tags=audience.split(","),
                # A few ads carry an end date, as promotions do.
                valid_until=today + datetime.timedelta(days=60) if number % 7 == 3 else None,
            )
            total = (1, 3, 4, 6, 9)[number % 5]
            for index in range(total):
                content_image_add(item=item, file=io.BytesIO(_card(category, number, index, total)))
            content_transition(item=item, to=Status.IN_REVIEW, actor=curator)
            if not item.has_block and number % 11 != 5:  # a few stay in review as work to do
                content_transition(item=item, to=Status.APPROVED, actor=curator)
        created += 1
    if stdout is not None:
        flagged = ContentItem.objects.filter(has_block=True).count()
        stdout.write(
            f"Content: {created} items added ({ContentItem.objects.count()} in the library, "
            f"{flagged} flagged by the compliance check)."
        )
