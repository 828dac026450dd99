"""A labelled corpus of agent Moment posts for the compliance engine (tests and bench).

Each case is a realistic sentence or short post, the context it is checked in, and the exact
set of rule codes the starter rules must report. ``note`` says what the case is about
(``evasion``, ``negation``, ``clean`` …) so failures read well. The bench computes precision and
recall per rule from the same cases.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    text: str
    codes: frozenset[str]
    category: str | None = None
    product_line: str | None = None
    persona_licence: str | None = None
    persona_name: str | None = None
    note: str = ""
    known_gap: str = ""  # why the engine gets this case wrong today (tests mark it xfail)


def case(text: str, *codes: str, note: str = "", known_gap: str = "", **context: str) -> Case:
    return Case(text=text, codes=frozenset(codes), note=note, known_gap=known_gap, **context)


LICENCE = "02000144030080002023001234"

CORPUS: tuple[Case, ...] = (
    # R01 guaranteed principal / returns
    case("这款年金稳赚不赔，闭眼入！", "R01", note="doc example"),
    case("保本保息，到期一次性返还，比什么都踏实。", "R01"),
    case("零风险的养老规划，就选我们家的年金。", "R01"),
    case("躺赚的日子谁不想要？存进去每年都有钱拿。", "R01"),
    case("十年收益翻倍，旱涝保收！", "R01"),
    case("本金安全有保障，放心交给我打理。", "R01"),
    case("刚性兑付，一分不少，老人家最放心。", "R01"),
    case("這款年金穩賺不賠，閉眼入！", "R01", note="evasion: traditional"),
    case("稳 赚 不 赔，名额有限", "R01", note="evasion: spaces"),
    case("稳*赚的好产品来了", "R01", note="evasion: symbol"),
    case("稳😀赚，存钱就选它", "R01", note="evasion: emoji"),
    case("稳稳稳赚，真的香", "R01", note="evasion: repeats"),
    case("保\u200b本又保\u200b息", "R01", note="evasion: zero-width"),
    case("ＶＩＰ客户专享：保本保息", "R01", note="evasion: full-width around"),
    case("零·风·险，收益看得见", "R01", note="evasion: middle dots"),
    case("这款产品不保本，请根据自身情况选择。", note="negation"),
    case("投资有风险，保险也并非零风险，请看清条款。", note="negation"),
    case("警惕所谓的保本高收益理财，那是骗局。", note="negation"),
    case("请确保本人账户缴费，确保本人信息准确。", note="保本 across words"),
    case("投保本产品前请仔细阅读条款和免责说明。", note="保本 across words"),
    case("60岁前确诊重疾，保额翻倍赔付。", note="contract feature, not a return"),
    # R02 rate presented as certain
    case("每年稳拿5%，写进合同！", "R02", note="doc example"),
    case("保证年化3.5%，复利滚存。", "R02"),
    case("3.5%复利锁定终身，越早买越划算。", "R02"),
    case("承诺回报率不低于4%，不满意随时找我。", "R02"),
    case("收益稳定，回报确定，适合退休规划。", "R02"),
    case("每年稳拿５％，写进合同", "R02", note="evasion: full-width"),
    case("保證年化3%，複利增長", "R02", note="evasion: traditional"),
    case("演示利益不代表承诺，以合同为准。", note="compliant rewrite"),
    case("保证利益以合同为准，非保证部分不确定。", note="compliant rewrite"),
    case("分红部分收益不确定，历史不代表未来。", note="disclosed"),
    case("预定利率是多少？以合同条款为准，不保证未来收益。", note="negation"),
    # R03 insurance as deposits / wealth products
    case("比存款利息高，存钱首选！", "R03", "R05", note="doc example"),
    case("增额终身寿就是银行存款的升级版。", "R03"),
    case("这份年金跟银行定期一样安全，还更灵活。", "R03"),
    case("收益吊打余额宝，快来了解。", "R03"),
    case("银行利息都没这个高，你还存什么定期？", "R03"),
    case("把它当作存款来配置，很适合宝妈。", "R03"),
    case("比銀行存款划算多了", "R03", note="evasion: traditional"),
    case("保险不等同于存款，请理性配置。", note="negation"),
    case("这是保险产品，与银行存款不同，请了解清楚。", note="compliant rewrite"),
    case("储蓄型保险适合有长期闲钱的家庭，详情看条款。", note="bare mention"),
    case("保险是保险，存款是存款，非存款产品不能混为一谈。", note="negation"),
    # R04 participating / universal / unit-linked without the uncertainty statement
    case("分红险年年分8%，稳稳的幸福。", "R04", note="doc example"),
    case("这款万能险结算利率一直很高，欢迎咨询。", "R04"),
    case("投连险账户去年涨了20%，心动了吗？", "R04"),
    case("年年有分红，老了有保障。", "R04"),
    case("分红险了解一下，红利分配是不确定的，以实际为准。", note="disclosed"),
    case("万能账户有保底利率，超过部分收益不确定。", note="disclosed"),
    case("投连险可能出现亏损，投资风险由投保人承担。", note="disclosed"),
    case("这份养老规划兼顾保障和现金流，详情私信。", "R04", product_line="participating"),
    case(
        "这份养老规划兼顾保障和现金流，保单利益具有不确定性。",
        product_line="participating",
        note="disclosed",
    ),
    case("重疾险保障120种疾病，轻中症也能赔。", product_line="critical_illness", note="clean"),
    case("分紅險年年分紅", "R04", note="evasion: traditional"),
    # R05 absolute terms
    case("全网最好的重疾险，没有之一。", "R05", note="doc example"),
    case("行业第一的服务，理赔速度最快。", "R05"),
    case("唯一一款不限社保的百万医疗。", "R05"),
    case("国家级专家团队，顶级医疗资源。", "R05"),
    case("史上最划算的意外险来了！", "R05"),
    case("全网最低价，性价比之王。", "R05"),
    case("独家定制，只有我这里有。", "R05"),
    case("第 一 名的产品值得拥有", "R05", note="evasion: spaces"),
    case("ＮＯ１的少儿重疾", "R05", note="evasion: full-width latin"),
    case("最新消息：医保目录又调整了，第一时间分享给大家。", note="SAMR exemptions"),
    case("一站式家庭保障规划，欢迎预约。", note="SAMR exemption"),
    case("第一次理赔的客户给我发来感谢信。", note="ordinal"),
    case("保险最好提前规划，身体好的时候才买得到。", note="adverb"),
    case("最后提醒一句：体检异常一定要如实告知。", note="exempt word"),
    # R06 discontinuation / price-rise hype
    case("下月停售快上车！", "R06", note="doc example"),
    case("3.5%的产品马上下架，最后机会！", "R06"),
    case("保费即将上涨，错过再等一年。", "R06"),
    case("限时优惠倒计时3天", "R06"),
    case("预定利率要下调了，还没配置的抓紧。", "R06"),
    case("公司公告：3月1日起该产品停售（附公告）。", note="official notice"),
    case("根据公司公告，本产品将于月底停售，具体以公告为准。", note="official notice"),
    case("该产品已停售，老客户保单不受影响。", note="fact, not hype"),
    case("医疗费用年年涨，提前做好准备。", note="not a product price"),
    case("快 上 车，错 过 不 再", "R06", note="evasion: spaces"),
    # R07 inducements outside the contract
    case("投保返20%现金，名额有限。", "R07", note="doc example"),
    case("首月1元，先保障起来。", "R07"),
    case("本周投保就送体检卡。", "R07"),
    case("评论区抽奖送三份免费赠险。", "R07"),
    case("老客户返佣，介绍朋友也有红包。", "R07"),
    case("本人承诺不返佣、不返现，一切以合同为准。", note="negation"),
    # R08 regulator as endorsement
    case("金融监管总局认证产品，放心买。", "R08", note="doc example"),
    case("银保监推荐的养老年金来了。", "R08"),
    case("国家认证的好保险，值得信赖。", "R08"),
    case("政府背书，安全可靠。", "R08"),
    case("本产品已按规定报送金融监管总局备案。", note="fact"),
    # R09 disparaging competitors
    case("X司理赔难，千万别买！", "R09", note="doc example"),
    case("某司的重疾险就是坑人的。", "R09"),
    case("别家的产品都是套路，我们的才实在。", "R09"),
    case("友商的服务太差了，客户都跑我这来了。", "R09"),
    case("Ａ公司拒赔率高，别踩坑", "R09", note="evasion: full-width"),
    case("很多人担心理赔难，其实如实告知就不怕。", note="discussing a worry"),
    case("理赔难吗？看看这位客户的真实经历。", note="question"),
    # R10 ad without name / company / licence
    case("重疾险新品上线，保障120种疾病，欢迎咨询。", "R10", category="ad"),
    case(
        f"重疾险新品上线，欢迎咨询。小李｜平安人寿｜执业证编号{LICENCE}",
        category="ad",
        note="licence stated",
    ),
    case(
        "重疾险新品上线，欢迎咨询。",
        "R10",
        category="ad",
        persona_licence=LICENCE,
        persona_name="小李",
        note="scheduling: licence missing",
    ),
    case(
        f"重疾险新品上线，欢迎咨询。小李 执业证号：{LICENCE}",
        category="ad",
        persona_licence=LICENCE,
        persona_name="小李",
        note="scheduling: signature present",
    ),
    case("重疾险新品上线，欢迎咨询。", category="value", note="R10 only for ads"),
    # R12 premium through the agent
    case("转我微信帮你代缴，省事。", "R12", note="doc example"),
    case("保费直接转账给我就行，我来办。", "R12"),
    case("支付宝转我，我帮你交。", "R12"),
    case("钱先打到我卡上，下午帮你交保费。", "R12"),
    case("代收保费，方便快捷", "R12"),
    case("代 缴 保 费找我", "R12", note="evasion: spaces"),
    case("请通过保险公司官方渠道、本人账户缴费。", note="compliant rewrite"),
    case("我们不代收保费，请勿转账给个人。", note="negation"),
    # R13 personal data
    case("客户张三 13812345678 的理赔单，三天就到账。", "R13", note="doc example"),
    case("客户身份证号11010519491231002X，已顺利承保。", "R13"),
    case("王女士的保单号码：P20231234567，理赔款已到账。", "R13"),
    case("客户李明确诊甲状腺癌，理赔30万元。", "R13"),
    case("联系电话１３９ ００１３ ８０００", "R13", note="evasion: full-width, spaces"),
    case("客户王先生去年投保重疾险，今年确诊后理赔50万。", note="de-identified"),
    case("有需要的朋友私信我，或者打138****8000。", note="masked number"),
    case("订单号110105194912310021已生成", note="18 digits with a wrong check digit"),
    # R14 exaggerated cover
    case("什么病都赔，买了就放心。", "R14", note="doc example"),
    case("这款医疗险什么都保，100%理赔。", "R14", "R05"),
    case("所有疾病都能赔，无条件理赔。", "R14"),
    case("啥都赔的保险不存在，保障范围以条款为准。", note="negation"),
    case("不是什么都赔，看清责任免除很重要。", note="negation"),
    case("保障范围以条款为准，详见责任免除。", note="compliant rewrite"),
    # several rules at once
    case("保本保息，比存款强，全网最好，快上车！", "R01", "R03", "R05", "R06"),
    case("稳赚不赔的分红险，转我帮你代缴。", "R01", "R04", "R12"),
    # known gaps: kept in the corpus (and in the bench figures) so they stay visible
    case(
        "ｂａｏ本？不，是保本！",
        "R01",
        known_gap="the dropped comma joins 不 and 是保本 into the negation 不是保本",
    ),
    case(
        "这不是一款能让你稳赚的产品，请理性看待。",
        known_gap="the negation is several words before the phrase; only adjacent ones count",
    ),
    case(
        "有客户问：保险能保本吗？我的回答是：要看产品类型。",
        known_gap="a question about 保本 reads as a claim",
    ),
    # clean posts: stories and value
    case("今天陪客户去医院办理理赔，材料齐全，十天就到账了。", note="clean story"),
    case("很多宝妈问我孩子保险怎么买：先重疾、医疗、意外，再考虑教育金。", note="clean value"),
    case("加班到深夜的你，记得给自己留一份保障。晚安。", note="clean"),
    case("买保险前一定要如实健康告知，不然理赔时会很被动。", note="clean, 一定要"),
    case("养老规划越早开始越从容，欢迎预约一对一沟通。", note="clean"),
    case("年年岁岁花相似，岁岁年年人不同。珍惜当下，做好规划。", note="clean, doubled chars"),
    case("保险不是万能的，但没有保险万万不能。", note="clean, 万能 as ordinary word"),
    case("谢谢谢谢！收到客户送来的锦旗，开心。", note="clean, repeats"),
    case("说说我做保险的第3年：被拒绝过很多次，也帮过很多家庭。", note="clean"),
    case("#重疾险# 轻症、中症、重症分别是什么意思？一张图看懂。", note="clean"),
    case("人生充满不确定性，保险让不确定变得确定一点。", note="clean"),
)
