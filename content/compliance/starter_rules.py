"""The starting rule set R01-R14 (../shared/COMPLIANCE.md), as data.

The Django side seeds ``ComplianceRule`` rows from :data:`STARTER_RULES`; reviewers then edit
them in the admin. Phrases and exceptions are written in plain simplified Chinese: the checker
normalises them the same way as the text (traditional, full-width, symbols, repeats).
Patterns are regexes on *normalised* text: lower-case, simplified, no spaces or punctuation
except ``%`` and ``。`` (every sentence end becomes ``。``).

Negations are generated: each phrase of R01, R12 and R14 preceded by a negator (不, 并非,
警惕 …) is an exception, so ``不保本`` or ``切勿代缴`` is not flagged while ``保本`` is.

Deliberate choices:

- R03 flags insurance presented *as equivalent to or better than* deposits or bank wealth
  products (block). A bare mention of 储蓄 / 理财 is not flagged: ``储蓄型保险`` and
  ``理财规划`` are the ordinary names of products and services, and flagging every mention
  would bury the real findings.
- R06 flags hype words (快上车, 最后机会, 倒计时 …) always, and 停售 / 下架 / price rises only
  in a sentence that does not cite an official notice (公告).
- R05 exempts ordinary words named by SAMR's 2023 guidance (最新, 第一时间, 一站式 …), ordinal
  uses (第一次, 第一年) and the adverb 最好 (最好提前规划).
- R11 has kind ``library_only``: the scheduler enforces it, the Checker ignores it.
"""

from __future__ import annotations

from content.compliance.engine import (
    LIBRARY_ONLY,
    PATTERN,
    PERSONA_LICENCE,
    PHRASES,
    REQUIRED_DISCLOSURE,
    Rule,
)

_AD_LAW_9 = "《广告法》第九条"
_AD_LAW_25 = "《广告法》第二十五条"
_SALES_17 = "《保险销售行为管理办法》第十七条"


def words(text: str) -> tuple[str, ...]:
    """A phrase list written as one space-separated string (phrases contain no spaces)."""
    return tuple(text.split())


# Words that, right before a phrase, turn it into a warning or a denial.
NEGATORS = words(
    "不 非 不是 并非 并不 绝非 不能 无法 不会 没有 不承诺 不保证 谈不上 "
    "不存在 别信 警惕 谨防 远离 拒绝 不要相信 所谓 所谓的 勿 请勿 切勿 "
    "不要 不得 绝不 从不 严禁 禁止"
)


def negated(*phrases: str) -> tuple[str, ...]:
    """Every phrase preceded by every negator: exceptions for a phrase list."""
    return tuple(neg + phrase for phrase in phrases for neg in NEGATORS)


_R01_PHRASES = words(
    "保本 保息 稳赚 包赚 零风险 无风险 保收益 保底收益 刚性兑付 旱涝保收 "
    "躺赚 翻倍 稳赚不赔 只赚不赔 稳赢 本金无忧 本金安全 躺着赚钱 收益翻番 保本保息"
)

_R12_PHRASES = words(
    "转我 代缴 代交保费 代收保费 转账给我 帮你缴 帮你交保费 我帮你交 打到我卡 "
    "打我卡上 私人账户 微信转我 支付宝转我 我来代缴"
)

_R14_PHRASES = words(
    "什么都赔 100%理赔 全都保 什么都保 啥都赔 啥都保 都能赔 百分百理赔 "
    "百分之百理赔 包赔 无条件理赔 保证理赔 一定能赔 肯定能赔"
)

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
    "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺"
    "顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂柴焦向柳邢"
)

STARTER_RULES: tuple[Rule, ...] = (
    Rule(
        code="R01",
        kind=PHRASES,
        phrases=_R01_PHRASES,
        exceptions=(
            *negated(*_R01_PHRASES),
            # 保 ending one word, 本 starting the next (投保本人, 确保本人账户缴费)
            *words("投保本 参保本 承保本 续保本 退保本 核保本 确保本人 保本人 保本合同 保本公司"),
            *words("保本次 保本年度 保本月"),
            # a contract feature of critical-illness cover, not a return
            *words("保额翻倍 保障翻倍 赔付翻倍 额外赔付翻倍"),
        ),
        message="承诺保本、保收益或零风险：保险产品不得承诺收益或保证本金。",
        suggestion="保证利益以合同为准，非保证部分不确定。",
        source=f"{_AD_LAW_25}；{_SALES_17}",
    ),
    Rule(
        code="R02",
        kind=PATTERN,
        pattern=(
            r"(?:保证|承诺|确保|确定|锁定|稳拿|稳得|稳定|一定能|一定会|必定|肯定能|包你)"
            r"[^。]{0,6}?(?:收益|回报|年化|利息|复利|[0-9]+%)"
            r"|(?:收益|回报|年化|复利|利率)率?[^。]{0,3}?"
            r"(?:保证|确定|锁定|稳拿|稳定|终身不变|写进合同)"
            r"|[0-9]+%[^。]{0,3}?(?:保证|确定|锁定|稳拿|稳定|终身不变|写进合同)"
        ),
        exceptions=words(
            "不保证 非保证 不承诺 不确定 不代表 无法保证 不能保证 不一定 未必 "
            "并不保证 收益不确定 不锁定"
        ),
        message="把利率或收益说成确定的：演示利益不代表承诺。",
        suggestion="演示利益不代表承诺，以合同为准。",
        source=f"{_AD_LAW_25}；《保险销售行为管理办法》第二十二条",
    ),
    Rule(
        code="R03",
        kind=PATTERN,
        pattern=(
            r"(?:比|胜过|好过|强过|高于|赛过|秒杀|碾压|跑赢|完胜|吊打)(?:银行)?"
            r"(?:存款|定期|储蓄|余额宝|理财|利息|存单)"
            r"|(?:等于|等同于?|相当于|就是|当作|当成|替代|代替|取代|媲美|堪比|就像)(?:银行)?"
            r"(?:存款|定期|储蓄|存钱|存单|理财产品)"
            r"|(?:像|如同|跟|和|与|同)(?:银行)?(?:存款|定期|储蓄|存单)一样"
            r"|(?:存款|存钱|储蓄|理财)的?首选"
            r"|(?:存款|定期|存单)的?(?:升级版|替代品|平替|plus)"
            r"|(?:银行|存款|定期)利息都?(?:没有|没|不如|比不上)"
        ),
        exceptions=words(
            "非存款 非银行存款 非储蓄 不是存款 不是银行存款 不等同于 不等于 不相当于 "
            "不能当作 不能替代 不能代替 无法替代 不可替代 不同于 区别于 有别于 "
            "不能等同 不应当作 并非"
        ),
        message="把保险说成存款或银行理财，或说比它们更好。",
        suggestion="这是保险产品，与银行存款不同。",
        source=f"{_SALES_17}；《互联网保险业务监管办法》",
    ),
    Rule(
        code="R04",
        kind=REQUIRED_DISCLOSURE,
        phrases=words(
            "分红险 分红型 分红保险 分红 万能险 万能型 万能账户 万能保险 投连险 投连 投资连结"
        ),
        product_lines=("participating", "universal", "unit_linked"),
        exceptions=words(
            "红利分配是不确定的 红利分配不确定 红利不确定 分红不确定 分红是不确定的 "
            "分红水平不确定 红利水平不确定 不保证分红 分红不保证 红利不保证 "
            "保单利益具有不确定性 保单利益不确定 利益具有不确定性 收益不确定 "
            "收益具有不确定性 收益是不确定的 可能出现亏损 可能亏损 存在亏损 "
            "投资风险由投保人承担 投资风险由您承担 结算利率不确定 演示利益不代表 "
            "非保证利益"
        ),
        message="分红、万能、投连产品须说明保单利益不确定（红利分配是不确定的）。",
        suggestion="……红利分配是不确定的，保单利益以合同为准。",
        source="《保险销售行为管理办法》第二十二条；《互联网保险业务监管办法》",
    ),
    Rule(
        code="R05",
        kind=PHRASES,
        phrases=words(
            "最好 最佳 最优 最强 第一 唯一 独家 首选 国家级 世界级 顶级 极致 终极 "
            "绝对 100% 史上最 全网最低 全网最 最低价 最便宜 最划算 最全 最安全 "
            "最靠谱 销量冠军 no1 top1"
        ),
        exceptions=words(
            "最新 最后 第一时间 一站式 第一次 第一步 第一年 第一天 第一个 第一份 "
            "第一笔 第一位 第一期 第一种 第一类 第一点 第一条 第一道 第一反应 "
            "第一桶金 第一阶段 最好提前 最好在 最好是 最好还是 最好的时间 最好的时机 "
            "最好别 最好不要 最好先 最好趁 绝对不 绝对没有"
        ),
        severity="warn",
        severity_in_ads="block",
        message="绝对化用语（最、第一、唯一、首选……）。",
        suggestion="用可核实的事实代替，如：覆盖120种重疾，详见条款。",
        source=f"{_AD_LAW_9}第三项；市场监管总局《广告绝对化用语执法指南》（2023）",
    ),
    Rule(
        code="R06",
        kind=PHRASES,
        phrases=words(
            "快上车 赶紧上车 抓紧上车 末班车 最后机会 最后一天 最后几天 错过再等 错过不再 "
            "倒计时 限时 即将下架 马上下架 手慢无 抢购 绝版 限量 停售 下架"
        ),
        pattern=(
            r"(?:保费|费率|产品|价格|保险)(?:要|将|即将|马上)?(?:涨价|上涨|上调)"
            r"|(?:即将|马上|下月|月底|年底)涨价|要涨价|利率(?:要|将|即将|马上)?下调"
        ),
        # A sentence citing the company's notice states a fact; 已停售 is a fact too.
        exceptions=words("sentence:公告 已停售 已经停售 不限时"),
        message="炒作停售、涨价或限时：须以公司正式公告为准，不得制造紧迫感。",
        suggestion="公司公告：X月X日起停售（附公告）。",
        source="《保险销售行为管理办法》第十九条",
    ),
    Rule(
        code="R07",
        kind=PHRASES,
        phrases=words(
            "返佣 返现 返还佣金 红包 抽奖 首月1元 1元升级 免费赠险 赠险 送礼品 "
            "投保送 投保就送 买保险送 送话费 送油卡 返利 首月0元 0元投保 免费送保险"
        ),
        pattern=r"返(?:现金)?[0-9]+(?:%|元)|(?:投保|购买|买)(?:就送|即送)",
        exceptions=negated("返佣", "返现", "返利", "红包"),
        message="合同以外的利益（返佣、返现、红包、赠险）诱导投保。",
        suggestion="删除合同以外的利益。",
        source=f"{_SALES_17}；《保险法》第一百三十一条",
    ),
    Rule(
        code="R08",
        kind=PATTERN,
        phrases=words(
            "监管认证 银保监推荐 国家认证 银保监会推荐 银保监认证 保监会认证 保监会推荐 "
            "监管推荐 国家推荐 政府推荐 央行认证 官方认证 监管背书 国家背书 政府背书 "
            "国家担保 政府担保 监管担保"
        ),
        pattern=(
            r"(?:金融监管总局|国家金融监督管理总局|银保监会?|保监会?|监管部门|监管机构|金管局|"
            r"国家|政府|央行|人民银行)[^。]{0,2}?(?:认证|推荐|背书|担保|力荐|认可|站台)"
        ),
        message="以监管机构或国家名义为产品背书。",
        suggestion="删除监管或政府背书的说法。",
        source=f"{_SALES_17}；{_AD_LAW_25}",
    ),
    Rule(
        code="R09",
        kind=PATTERN,
        phrases=words(
            "理赔难 千万别买 坑人 骗人的保险 垃圾公司 垃圾产品 拒赔王 不靠谱的公司 "
            "黑心公司 智商税 坑爹"
        ),
        pattern=(
            r"(?:某司|某公司|某保险公司|某家|别家|友商|其他公司|别的公司|别人家|同行)"
            r"[^。]{0,8}?(?:理赔难|拒赔|不赔|坑人|被坑|骗人|骗子|垃圾|不靠谱|跑路|倒闭|破产|"
            r"很差|太差|黑心|套路|别买|比不上|不如)"
            # X司, A公司: found through the complaint, which is rarer than a Latin letter
            r"|[a-z](?:司|公司)[^。]{0,8}?(?:理赔难|拒赔|不赔|坑人|被坑|骗人|骗子|垃圾|不靠谱|"
            r"跑路|倒闭|破产|很差|太差|黑心|套路|别买|比不上|不如)"
        ),
        exceptions=words(
            "担心理赔难 说理赔难 觉得理赔难 理赔难吗 理赔难是误解 所谓理赔难 理赔难不难 "
            "怕理赔难 不是理赔难 并非理赔难"
        ),
        message="贬低同业或作不公平比较。",
        suggestion="只介绍自己产品的条款和服务。",
        source=_SALES_17,
    ),
    Rule(
        code="R10",
        kind=PERSONA_LICENCE,
        categories=("ad",),
        pattern=r"执业(?:证书?|编码)?(?:编号|号码|号)?[0-9a-z]{8,}",
        severity="block",
        message="广告须注明代理人姓名、所属公司及执业证编号。",
        suggestion="在文末附上人设签名：姓名｜公司｜执业证编号。",
        source="《保险销售行为管理办法》第二十四条",
    ),
    Rule(
        code="R11",
        kind=LIBRARY_ONLY,
        categories=("ad",),
        message="产品广告须使用公司审核通过的素材库内容。",
        suggestion="从素材库选用已审核的内容。",
        source="《保险销售行为管理办法》第十八条",
    ),
    Rule(
        code="R12",
        kind=PATTERN,
        phrases=_R12_PHRASES,
        pattern=r"(?:保费|费用|钱款)[^。]{0,6}?(?:转|打|付)给?我",
        exceptions=(*negated(*_R12_PHRASES, "转账", "向私人账户", "转到私人账户", "转给"),),
        message="保费经代理人个人账户收取：保费须由客户本人账户直接交给保险公司。",
        suggestion="请通过保险公司官方渠道、本人账户缴费。",
        source="《保险销售行为管理办法》第三十二条",
    ),
    Rule(
        code="R13",
        kind=PATTERN,
        pattern=(
            # a look-behind after the first character keeps re's fast first-character scan
            r"(?P<cn_id>[1-9](?<![0-9a-z][1-9])[0-9]{5}(?:1[89]|20)[0-9]{2}(?:0[1-9]|1[0-2])"
            r"(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9x])(?![0-9a-z])"
            r"|1(?<![0-9]1)[3-9][0-9]{9}(?![0-9])"
            r"|保单(?:号码?|编号)(?:是|为)?[0-9a-z]{6,}"
            r"|(?:客户|被保险?人|投保人|患者|受益人|理赔人)"
            rf"(?P<hit>[{_SURNAMES}](?![先女某总姐哥姨叔老小大阿妈爸医])[\u4e00-\u9fff]{{1,2}}?)"
            r"(?=的|在|于|去年|今年|前年|上个月|确诊|理赔|投保|买了|购买|身份证|手机|电话|保单|住院|[0-9])"
        ),
        message="帖子中有客户个人信息（身份证号、手机号、保单号或全名）。",
        suggestion="去标识化：用“王先生”“客户L”代替全名，删除证件号、手机号和保单号。",
        source="《互联网保险业务监管办法》；《个人信息保护法》",
    ),
    Rule(
        code="R14",
        kind=PATTERN,
        phrases=_R14_PHRASES,
        pattern=(
            r"(?:什么|任何|所有)[\u4e00-\u9fff]{0,3}?都能?(?:赔|保|报销|管)"
            r"|啥[\u4e00-\u9fff]{0,3}?都能?(?:赔|保|报销|管)"
        ),
        exceptions=(
            *negated(*_R14_PHRASES, "什么", "所有", "任何"),
            # the claim named in order to deny it
            *words("都赔的保险不存在 都保的保险不存在 都赔是不可能的 都赔是骗人的"),
            "都保不了",
            "都赔不了",
        ),
        message="夸大保障范围（什么都赔、100%理赔）。",
        suggestion="保障范围以条款为准。",
        source=_SALES_17,
    ),
)
