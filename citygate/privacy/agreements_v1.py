"""Version 1 of the terms of service, the privacy policy and the separate real-name consent.

These are the texts people agreed to: never edit them. A change is published as a new version
with `privacy.services.agreement_publish`, and everyone is asked again.

`seed_first_versions` writes version 1 of each kind that has no version yet. Migration 0003
calls it, and so does the app after every `migrate` or `flush` (post_migrate), so a database
emptied by `flush` (as Django's transactional tests do) still has agreements to consent to.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

CONTACT_ZH = (
    "个人信息保护负责人电子邮箱：privacy@citygate.example.org；也可在本应用“我的—隐私与同意”页面"
    "提出请求，或拨打 12345 政务服务便民热线转接。我们将在收到请求并核验身份后十五个工作日内答复。"
)
CONTACT_EN = (
    "Write to our personal information protection officer at privacy@citygate.example.org, make "
    "a request on the 'Privacy and consent' page under 'Me' in the app, or call the 12345 "
    "government service hotline to be put through. We answer within fifteen working days of "
    "receiving your request and confirming your identity."
)


def _text(paragraphs: list[str], contact: str) -> str:
    return "\n".join([*paragraphs, contact])


TERMS_ZH = _text(
    [
        (
            "欢迎使用城市通。本协议是您与城市通平台运营单位（以下简称“我们”）之间关于使用城市通各"
            "项服务的约定。请您仔细阅读；您点击“同意”即表示接受本协议。"
        ),
        "",
        "一、城市通是什么",
        (
            "城市通是本市政务服务、公用事业缴费和本地资讯的统一入口。您在城市通申请的事项，由依法"
            "负责该事项的政府部门或公共服务企业（以下简称“办理单位”）受理并作出决定；城市通负责提"
            "供申请渠道、传递材料和通知办理进度。办事指南以办理单位公布的内容为准。城市通本身不向"
            "您收取任何费用；缴费事项中的费用由办理单位依法收取。"
        ),
        "",
        "二、账号",
        "1. 您使用本人手机号和短信验证码注册、登录。一个手机号只能注册一个账号。",
        (
            "2. 请妥善保管您的手机和验证码，不要把验证码告诉任何人。我们的工作人员不会向您索要验"
            "证码。"
        ),
        "3. 发现账号被他人使用时，请立即通过下方联系方式告诉我们，我们会协助冻结账号。",
        "",
        "三、实名认证",
        (
            "部分事项依法需要核验办事人身份。实名认证会处理您的姓名和身份证号码，属于敏感个人信息"
            "，我们会另行请求您的单独同意。不同意实名认证，不影响您浏览资讯、查询指南和使用不需要"
            "实名的服务。"
        ),
        "",
        "四、使用规则",
        "1. 您提交的信息和材料应当真实、准确、完整，不得冒用他人身份办事。",
        "2. 不得利用城市通从事违法活动，不得干扰系统正常运行，不得以程序批量抓取数据。",
        "3. 违反上述规则的，我们可以依法暂停相关服务，并保存有关记录。",
        "",
        "五、服务的变更和中断",
        (
            "系统维护、升级可能造成短时中断，我们会尽量提前在城市通内公告。因不可抗力或办理单位系"
            "统原因造成的中断，我们会及时告知并协助您通过其他渠道办理。"
        ),
        "",
        "六、个人信息保护",
        "我们按照《隐私政策》处理您的个人信息。",
        "",
        "七、协议的更新",
        (
            "本协议更新时，我们会在您下次使用时展示新版本并请您重新同意。您不同意新版本的，可以停"
            "止使用并申请注销账号；注销前已经提交的事项仍由办理单位依法办理。"
        ),
        "",
        "八、法律适用和争议解决",
        (
            "本协议适用中华人民共和国法律。发生争议的，双方先协商解决；协商不成的，可以依法向有管"
            "辖权的人民法院提起诉讼。对办理单位作出的决定不服的，可以依法申请行政复议或者提起行政"
            "诉讼。"
        ),
        "",
        "九、联系我们",
    ],
    CONTACT_ZH,
)

TERMS_EN = _text(
    [
        (
            "Welcome to CityGate. These terms are the agreement between you and the operator of "
            'the CityGate platform ("we") about using CityGate\'s services. Please read them '
            'carefully; by choosing "Agree" you accept them.'
        ),
        "",
        "1. What CityGate is",
        (
            "CityGate is the city's single entrance to government services, utility payments and "
            "local news. Each matter you apply for through CityGate is received and decided by "
            "the government department or public service company responsible for it by law (the "
            '"handling body"); CityGate provides the way to apply, passes on your documents and '
            "tells you how the matter is progressing. The service guides published by the "
            "handling bodies are authoritative. CityGate itself charges you nothing; fees in "
            "payment services are charged by the handling body as the law provides."
        ),
        "",
        "2. Your account",
        (
            "(1) You register and sign in with your own mobile number and a text-message code. "
            "One mobile number holds one account."
        ),
        (
            "(2) Keep your phone and your codes safe and never tell anyone a code. Our staff "
            "will never ask you for one."
        ),
        (
            "(3) If someone else is using your account, tell us at once through the contacts "
            "below and we will help you freeze it."
        ),
        "",
        "3. Real-name verification",
        (
            "Some matters require the applicant's identity to be checked by law. Real-name "
            "verification processes your name and ID number, which are sensitive personal "
            "information; we ask for your separate consent to it. If you do not consent, you can "
            "still read news, look up service guides and use every service that does not need "
            "your real name."
        ),
        "",
        "4. Rules of use",
        (
            "(1) The information and documents you submit must be true, accurate and complete; "
            "do not apply in someone else's name."
        ),
        (
            "(2) Do not use CityGate for anything unlawful, do not disrupt the system and do not "
            "harvest data with automated programs."
        ),
        (
            "(3) Where these rules are broken we may suspend the services concerned as the law "
            "allows and keep a record of what happened."
        ),
        "",
        "5. Changes to and interruptions of the service",
        (
            "Maintenance and upgrades may interrupt the service briefly; we announce them in "
            "CityGate in advance where we can. If an interruption comes from force majeure or "
            "from a handling body's own systems, we tell you promptly and help you apply through "
            "other channels."
        ),
        "",
        "6. Personal information",
        "We process your personal information as our Privacy Policy describes.",
        "",
        "7. Changes to these terms",
        (
            "When these terms change, we show you the new version the next time you use CityGate "
            "and ask you to agree again. If you do not agree, you may stop using CityGate and "
            "ask for your account to be closed; matters you submitted before closing are still "
            "handled by the handling bodies as the law requires."
        ),
        "",
        "8. Governing law and disputes",
        (
            "These terms are governed by the law of the People's Republic of China. Disputes are "
            "first settled by discussion; failing that, either side may bring a case before the "
            "people's court having jurisdiction. If you disagree with a decision made by a "
            "handling body, you may apply for administrative reconsideration or bring an "
            "administrative lawsuit as the law provides."
        ),
        "",
        "9. Contact us",
    ],
    CONTACT_EN,
)

PRIVACY_ZH = _text(
    [
        (
            "本政策说明城市通如何处理您的个人信息，以及您享有的权利。我们依照《中华人民共和国个人"
            "信息保护法》等法律法规处理个人信息，遵循合法、正当、必要和诚信原则，只处理实现服务目"
            "的所必需的最少信息。"
        ),
        "",
        "一、谁在处理您的个人信息",
        (
            "城市通平台运营单位负责城市通账号和平台本身的信息处理。您申请的具体事项，由负责该事项"
            "的办理单位依照其法定职责处理您为该事项提交的信息。"
        ),
        "",
        "二、我们处理哪些信息、为什么处理",
        "1. 手机号码：用于注册、登录、发送验证码和办理进度通知。这是使用账号所必需的。",
        (
            "2. 姓名和身份证号码：仅在您单独同意实名认证后处理，用于核验您的身份，以便办理依法需"
            "要实名的事项。这些属于敏感个人信息。"
        ),
        "3. 办事材料：您为某一事项主动提交的信息和材料，仅用于办理该事项。",
        ("4. 偏好设置：界面语言、长辈版等设置，保存在您的设备上或账号中，用于按您的习惯显示页面。"),
        (
            "5. 安全日志：访问时间、所用功能和经过加密散列处理的网络地址，用于保障系统安全、排查"
            "故障。日志中不记录您的手机号码、身份证号码、姓名或地址。"
        ),
        (
            "我们不会将您的个人信息用于商业营销，不会出售您的个人信息，也不会用于与上述目的无关的"
            "用途。"
        ),
        "",
        "三、我们如何保存和保护您的信息",
        "1. 您的信息存储在中华人民共和国境内，不向境外提供。",
        (
            "2. 手机号码、姓名、身份证号码等信息加密存储，可采用国家商用密码算法（SM4、SM3）；页"
            "面上默认只显示遮盖后的信息，例如 138****8000。"
        ),
        (
            "3. 只有具有相应岗位职责的工作人员，在说明查看目的后才能查看完整信息；每一次查看都会"
            "留下不可篡改的记录。您可以在“我的—谁查看了我的信息”中看到查看时间、查看的信息项、目"
            "的和查看人所在部门。"
        ),
        "4. 发生个人信息安全事件时，我们会立即采取补救措施，并依法告知您和有关主管部门。",
        "",
        "四、我们如何提供您的信息",
        (
            "我们只在办理您申请的事项所必需时，将相关信息提供给该事项的办理单位；法律、行政法规另"
            "有规定的，依照其规定。除此之外，未经您的单独同意，我们不会向其他任何人提供或公开您的"
            "个人信息。"
        ),
        "",
        "五、保存期限",
        (
            "1. 账号信息保存至您注销账号；注销后我们删除或匿名化处理，法律、行政法规规定的保存期"
            "限未届满的除外。"
        ),
        "2. 您撤回实名认证同意后，我们立即删除您的姓名和身份证号码。",
        "3. 办事记录按照办理单位的档案管理规定保存。",
        "4. 安全日志保存不少于六个月（《中华人民共和国网络安全法》第二十一条），到期删除。",
        "5. 工作人员查看记录用于审计追溯，保存不少于三年。",
        "",
        "六、您的权利",
        (
            "您有权查阅、复制您的个人信息，要求更正、补充，在法定情形下要求删除；有权撤回同意、注"
            "销账号，要求我们解释个人信息处理规则。撤回同意不影响撤回前基于同意已进行的处理。您可"
            "以在“我的—隐私与同意”页面撤回同意，也可以通过下方联系方式行使上述权利。对我们的答复"
            "不满意的，您可以向网信、公安等履行个人信息保护职责的部门投诉、举报。"
        ),
        "",
        "七、未成年人",
        "不满十四周岁的未成年人，应当在父母或者其他监护人的陪同和同意下使用城市通。",
        "",
        "八、本政策的更新",
        "本政策更新时，我们会在您下次使用时展示新版本，并请您重新阅读和同意。",
        "",
        "九、联系我们",
    ],
    CONTACT_ZH,
)

PRIVACY_EN = _text(
    [
        (
            "This policy explains how CityGate processes your personal information and the "
            "rights you have. We process personal information under the Personal Information "
            "Protection Law of the People's Republic of China and related laws, lawfully, "
            "fairly, only as far as necessary and in good faith, and we process no more than "
            "each service needs."
        ),
        "",
        "1. Who processes your personal information",
        (
            "The operator of the CityGate platform is responsible for your CityGate account and "
            "the platform itself. For each matter you apply for, the handling body responsible "
            "for it processes the information you submit for that matter under its statutory "
            "duties."
        ),
        "",
        "2. What we process and why",
        (
            "(1) Mobile number: to register, sign in, send you codes and tell you how your "
            "matters are progressing. An account cannot work without it."
        ),
        (
            "(2) Name and ID number: only after you give separate consent to real-name "
            "verification, to confirm your identity for matters that by law need your real name. "
            "They are sensitive personal information."
        ),
        (
            "(3) Application documents: what you submit for a matter is used only to handle that "
            "matter."
        ),
        (
            "(4) Preferences: display language, elderly mode and similar settings, kept on your "
            "device or in your account, so pages appear the way you chose."
        ),
        (
            "(5) Security logs: when you visited, which functions you used and a keyed hash of "
            "your network address, to keep the system secure and to find faults. The logs never "
            "record your mobile number, ID number, name or address."
        ),
        (
            "We do not use your personal information for marketing, we never sell it, and we do "
            "not use it for anything unrelated to the purposes above."
        ),
        "",
        "3. How we store and protect your information",
        (
            "(1) Your information is stored in the People's Republic of China and is not "
            "transferred abroad."
        ),
        (
            "(2) Mobile numbers, names, ID numbers and similar items are stored encrypted, where "
            "configured with the national commercial cryptographic algorithms (SM4, SM3). "
            "Screens show masked values by default, such as 138****8000."
        ),
        (
            "(3) Only staff whose duties require it can see a full value, and only after stating "
            "why; every such look leaves a tamper-evident record. Under 'Who viewed my "
            "information' in the app you can see when it happened, which item was seen, the "
            "purpose and the viewer's department."
        ),
        (
            "(4) If a personal information security incident happens, we act at once to contain "
            "it and inform you and the authorities as the law requires."
        ),
        "",
        "4. When we provide your information to others",
        (
            "We provide information only to the handling body of a matter you applied for, and "
            "only as far as handling it requires, or where a law or administrative regulation "
            "requires otherwise. Apart from that we do not provide or disclose your personal "
            "information to anyone without your separate consent."
        ),
        "",
        "5. How long we keep it",
        (
            "(1) Account information is kept until you close your account; we then delete or "
            "anonymise it, unless a period set by law or administrative regulation has not yet "
            "ended."
        ),
        (
            "(2) When you withdraw your consent to real-name verification, we delete your name "
            "and ID number at once."
        ),
        "(3) Records of applications are kept under the handling bodies' archive rules.",
        (
            "(4) Security logs are kept for at least six months (Cybersecurity Law of the "
            "People's Republic of China, Article 21) and then deleted."
        ),
        (
            "(5) Records of staff viewing your information are kept for at least three years, "
            "for audits."
        ),
        "",
        "6. Your rights",
        (
            "You may see and copy your personal information, ask for it to be corrected or "
            "completed and, where the law provides, deleted; you may withdraw consent, close "
            "your account and ask us to explain how we process personal information. Withdrawing "
            "consent does not affect processing already carried out on the basis of the consent. "
            "You can withdraw consent on the 'Privacy and consent' page under 'Me' in the app, "
            "or exercise any of these rights through the contacts below. If you are not "
            "satisfied with our answer, you may complain to the authorities responsible for "
            "personal information protection, such as the cyberspace administration or the "
            "police."
        ),
        "",
        "7. Children",
        (
            "Children under fourteen should use CityGate only with a parent's or guardian's "
            "consent and help."
        ),
        "",
        "8. Changes to this policy",
        (
            "When this policy changes, we show you the new version the next time you use "
            "CityGate and ask you to read and agree to it again."
        ),
        "",
        "9. Contact us",
    ],
    CONTACT_EN,
)

REAL_NAME_ZH = _text(
    [
        (
            "实名认证需要处理您的姓名和身份证号码。依照《中华人民共和国个人信息保护法》，这些属于"
            "敏感个人信息，需要取得您的单独同意。请阅读以下内容后自主决定是否同意。"
        ),
        "",
        "一、处理哪些信息",
        "您的姓名和居民身份证号码。",
        "",
        "二、为什么必要",
        (
            "部分政务服务事项依法只能由本人或者经核验身份的人员办理。核验身份后，您在城市通办理这"
            "些事项时无需再次提交身份证明。"
        ),
        "",
        "三、如何处理",
        (
            "1. 我们将您填写的姓名和身份证号码发送给依法提供身份认证服务的机构进行比对，只接收“一"
            "致”或“不一致”的结果。"
        ),
        (
            "2. 比对一致后，您的姓名和身份证号码加密保存在您的账号中，并在您办理需要实名的事项时"
            "提供给该事项的办理单位。"
        ),
        (
            "3. 工作人员只能在说明目的后查看完整信息，每一次查看都会被记录，您可以在“我的—谁查看"
            "了我的信息”中查询。"
        ),
        "",
        "四、对您权益的影响",
        (
            "身份信息一旦泄露可能被他人冒用。我们采取加密存储、访问授权、查看留痕等措施降低这种风"
            "险。"
        ),
        "",
        "五、保存期限和撤回",
        "1. 保存至您撤回本同意或者注销账号时为止。",
        (
            "2. 您可以随时在“我的—隐私与同意”页面撤回本同意。撤回后我们立即删除您的姓名和身份证号"
            "码，账号恢复为手机号认证级别；撤回不影响撤回前已经办理的事项。"
        ),
        "3. 不同意或者撤回本同意，不影响您使用不需要实名的服务。",
        "",
        "六、联系我们",
    ],
    CONTACT_ZH,
)

REAL_NAME_EN = _text(
    [
        (
            "Real-name verification needs your name and ID number. Under the Personal "
            "Information Protection Law of the People's Republic of China these are sensitive "
            "personal information and need your separate consent. Please read what follows and "
            "decide freely."
        ),
        "",
        "1. What is processed",
        "Your name and your resident ID number.",
        "",
        "2. Why it is necessary",
        (
            "By law, some government services may be used only by the person concerned or by "
            "someone whose identity has been checked. Once your identity is confirmed you need "
            "not prove it again for these services in CityGate."
        ),
        "",
        "3. How it is processed",
        (
            "(1) We send the name and ID number you enter to an organisation lawfully providing "
            "identity verification, which compares them and tells us only whether they match."
        ),
        (
            "(2) When they match, your name and ID number are kept encrypted in your account and "
            "are provided to the handling body of each service that needs your real name when "
            "you apply for it."
        ),
        (
            "(3) Staff can see the full values only after stating why; every look is recorded, "
            "and you can check the records under 'Who viewed my information' in the app."
        ),
        "",
        "4. How it affects you",
        (
            "Identity information that leaks can be misused by others to pose as you. We reduce "
            "this risk with encrypted storage, access authorisation and a record of every look."
        ),
        "",
        "5. How long it is kept, and withdrawing",
        "(1) Until you withdraw this consent or close your account.",
        (
            "(2) You can withdraw this consent at any time on the 'Privacy and consent' page "
            "under 'Me' in the app. We then delete your name and ID number at once and your "
            "account returns to the phone-verified level; matters already handled are not "
            "affected."
        ),
        (
            "(3) Declining or withdrawing this consent does not stop you from using any service "
            "that does not need your real name."
        ),
        "",
        "6. Contact us",
    ],
    CONTACT_EN,
)

AGREEMENTS = [
    ("terms", True, "城市通用户服务协议", "CityGate Terms of Service", TERMS_ZH, TERMS_EN),
    ("privacy", True, "城市通隐私政策", "CityGate Privacy Policy", PRIVACY_ZH, PRIVACY_EN),
    (
        "real_name",
        False,
        "实名认证个人敏感信息处理单独同意书",
        "Separate consent to processing sensitive personal information for real-name verification",
        REAL_NAME_ZH,
        REAL_NAME_EN,
    ),
]


def seed_first_versions(agreement_model: Any, using: str = "default") -> int:
    """Create version 1 of each agreement kind that has none; return how many were made."""
    agreements = agreement_model.objects.using(using)
    now = timezone.now()
    created = 0
    for kind, required, title_zh, title_en, body_zh, body_en in AGREEMENTS:
        if agreements.filter(kind=kind).exists():
            continue
        agreements.create(
            kind=kind,
            version=1,
            required=required,
            title_zh=title_zh,
            title_en=title_en,
            body_zh=body_zh.strip(),
            body_en=body_en.strip(),
            published_at=now,
        )
        created += 1
    return created
