"""The city's streets and towns (乡级区划: 街道, 镇, 乡 and units like them) as reference data.

The codes and Chinese names are the National Bureau of Statistics' statistical division codes
(统计用区划代码), 2023 edition, for 苏州市 (3205). A code is the district's six digits and three
more; by the NBS coding rules the three say what the unit is: 001-099 a street office (街道),
100-199 a town (镇), 200-399 a township (乡), and 400-599 a unit administered like one (a
development zone, a farm, a scenic area). The English names are ours: pinyin with
"Subdistrict" or "Town", and translations for the other units.

A newer edition is loaded with `manage.py directory_import_streets`; this module is the
edition the database starts with. It is plain data on purpose: the data migration reads it.
"""

from __future__ import annotations

from typing import NamedTuple

SOURCE = "NBS statistical division code, 2023 edition"
EDITION = 2023


def kind_of(code: str) -> str:
    """What a town-level unit is (a `directory.models.StreetKind` value), from its code."""
    number = int(code[6:9])
    if number < 100:
        return "subdistrict"
    if number < 200:
        return "town"
    if number < 400:
        return "township"
    return "other"


class StreetRow(NamedTuple):
    code: str
    name_zh: str
    name_en: str


STREETS: tuple[StreetRow, ...] = (
    StreetRow("320505001", "横塘街道", "Hengtang Subdistrict"),
    StreetRow("320505002", "狮山街道", "Shishan Subdistrict"),
    StreetRow("320505003", "枫桥街道", "Fengqiao Subdistrict"),
    StreetRow("320505004", "镇湖街道", "Zhenhu Subdistrict"),
    StreetRow("320505101", "通安镇", "Tong'an Town"),
    StreetRow("320505400", "浒墅关经开区（镇）", "Xushuguan Economic Development Zone (Town)"),
    StreetRow(
        "320505405", "苏州高新技术创业服务中心", "Suzhou Hi-Tech Entrepreneurship Service Centre"
    ),
    StreetRow(
        "320505407", "科技城（东渚街道）", "Science and Technology City (Dongzhu Subdistrict)"
    ),
    StreetRow("320505408", "苏州高新区综合保税区", "Suzhou New District Comprehensive Bonded Zone"),
    StreetRow("320506001", "长桥街道", "Changqiao Subdistrict"),
    StreetRow("320506003", "越溪街道", "Yuexi Subdistrict"),
    StreetRow("320506004", "郭巷街道", "Guoxiang Subdistrict"),
    StreetRow("320506005", "横泾街道", "Hengjing Subdistrict"),
    StreetRow("320506006", "香山街道", "Xiangshan Subdistrict"),
    StreetRow("320506009", "城南街道", "Chengnan Subdistrict"),
    StreetRow("320506010", "太湖街道", "Taihu Subdistrict"),
    StreetRow("320506100", "甪直镇", "Luzhi Town"),
    StreetRow("320506103", "木渎镇", "Mudu Town"),
    StreetRow("320506104", "胥口镇", "Xukou Town"),
    StreetRow("320506107", "东山镇", "Dongshan Town"),
    StreetRow("320506108", "光福镇", "Guangfu Town"),
    StreetRow("320506109", "金庭镇", "Jinting Town"),
    StreetRow("320506110", "临湖镇", "Linhu Town"),
    StreetRow("320506400", "江苏省太湖采石公司", "Jiangsu Taihu Quarry Company"),
    StreetRow("320506401", "吴中区林场", "Wuzhong District Forest Farm"),
    StreetRow("320506402", "西山农业园区", "Xishan Agricultural Park"),
    StreetRow("320506403", "穹窿山风景区", "Qionglong Mountain Scenic Area"),
    StreetRow("320506404", "开发区", "Development Zone"),
    StreetRow(
        "320506405", "国家苏州太湖旅游度假区", "Suzhou Taihu National Tourism and Vacation Zone"
    ),
    StreetRow("320507001", "元和街道", "Yuanhe Subdistrict"),
    StreetRow("320507002", "太平街道", "Taiping Subdistrict"),
    StreetRow("320507003", "黄桥街道", "Huangqiao Subdistrict"),
    StreetRow("320507004", "北桥街道", "Beiqiao Subdistrict"),
    StreetRow("320507005", "北河泾街道", "Beihejing Subdistrict"),
    StreetRow("320507006", "漕湖街道", "Caohu Subdistrict"),
    StreetRow("320507007", "澄阳街道", "Chengyang Subdistrict"),
    StreetRow("320507100", "望亭镇", "Wangting Town"),
    StreetRow("320507102", "黄埭镇", "Huangdai Town"),
    StreetRow("320507105", "渭塘镇", "Weitang Town"),
    StreetRow("320507109", "阳澄湖镇", "Yangchenghu Town"),
    StreetRow("320507401", "阳澄湖生态休闲旅游度假区", "Yangcheng Lake Eco-Leisure Tourism Resort"),
    StreetRow("320507402", "苏州高铁新城", "Suzhou High-Speed Rail New Town"),
    StreetRow("320508017", "白洋湾街道", "Baiyangwan Subdistrict"),
    StreetRow("320508018", "平江街道", "Pingjiang Subdistrict"),
    StreetRow("320508019", "金阊街道", "Jinchang Subdistrict"),
    StreetRow("320508020", "沧浪街道", "Canglang Subdistrict"),
    StreetRow("320508021", "双塔街道", "Shuangta Subdistrict"),
    StreetRow("320508022", "虎丘街道", "Huqiu Subdistrict"),
    StreetRow("320508023", "苏锦街道", "Sujin Subdistrict"),
    StreetRow("320508024", "吴门桥街道", "Wumenqiao Subdistrict"),
    StreetRow("320509001", "松陵街道", "Songling Subdistrict"),
    StreetRow("320509002", "横扇街道", "Hengshan Subdistrict"),
    StreetRow("320509003", "八坼街道", "Bache Subdistrict"),
    StreetRow("320509004", "江陵街道", "Jiangling Subdistrict"),
    StreetRow("320509104", "平望镇", "Pingwang Town"),
    StreetRow("320509105", "盛泽镇", "Shengze Town"),
    StreetRow("320509107", "七都镇", "Qidu Town"),
    StreetRow("320509108", "震泽镇", "Zhenze Town"),
    StreetRow("320509109", "桃源镇", "Taoyuan Town"),
    StreetRow("320509110", "黎里镇", "Lili Town"),
    StreetRow("320509111", "同里镇", "Tongli Town"),
    StreetRow(
        "320509400", "吴江经济技术开发区", "Wujiang Economic and Technological Development Zone"
    ),
    StreetRow("320509401", "东方丝绸市场", "Oriental Silk Market"),
    StreetRow("320509402", "东太湖生态旅游度假区", "East Taihu Lake Eco-Tourism Resort"),
    StreetRow("320576050", "娄葑街道", "Loufeng Subdistrict"),
    StreetRow("320576051", "斜塘街道", "Xietang Subdistrict"),
    StreetRow("320576052", "唯亭街道", "Weiting Subdistrict"),
    StreetRow("320576053", "胜浦街道", "Shengpu Subdistrict"),
    StreetRow("320576054", "金鸡湖街道", "Jinjihu Subdistrict"),
    StreetRow("320581001", "虞山街道", "Yushan Subdistrict"),
    StreetRow("320581002", "常福街道", "Changfu Subdistrict"),
    StreetRow("320581003", "琴川街道", "Qinchuan Subdistrict"),
    StreetRow("320581004", "莫城街道", "Mocheng Subdistrict"),
    StreetRow("320581005", "碧溪街道", "Bixi Subdistrict"),
    StreetRow("320581006", "东南街道", "Dongnan Subdistrict"),
    StreetRow("320581101", "梅李镇", "Meili Town"),
    StreetRow("320581102", "海虞镇", "Haiyu Town"),
    StreetRow("320581104", "古里镇", "Guli Town"),
    StreetRow("320581105", "沙家浜镇", "Shajiabang Town"),
    StreetRow("320581106", "支塘镇", "Zhitang Town"),
    StreetRow("320581107", "董浜镇", "Dongbang Town"),
    StreetRow("320581110", "辛庄镇", "Xinzhuang Town"),
    StreetRow("320581111", "尚湖镇", "Shanghu Town"),
    StreetRow(
        "320581401", "常熟经济技术开发区", "Changshu Economic and Technological Development Zone"
    ),
    StreetRow(
        "320581402", "常熟高新技术产业开发区", "Changshu High-Tech Industrial Development Zone"
    ),
    StreetRow("320581407", "常熟国家大学科技园", "Changshu National University Science Park"),
    StreetRow("320582001", "金港街道", "Jingang Subdistrict"),
    StreetRow("320582002", "后塍街道", "Houcheng Subdistrict"),
    StreetRow("320582003", "德积街道", "Deji Subdistrict"),
    StreetRow("320582100", "杨舍镇", "Yangshe Town"),
    StreetRow("320582101", "塘桥镇", "Tangqiao Town"),
    StreetRow("320582103", "锦丰镇", "Jinfeng Town"),
    StreetRow("320582104", "乐余镇", "Leyu Town"),
    StreetRow("320582105", "凤凰镇", "Fenghuang Town"),
    StreetRow("320582106", "南丰镇", "Nanfeng Town"),
    StreetRow("320582107", "大新镇", "Daxin Town"),
    StreetRow(
        "320582400",
        "张家港市现代农业示范园区",
        "Zhangjiagang Modern Agriculture Demonstration Park",
    ),
    StreetRow(
        "320582401",
        "张家港经济技术开发区",
        "Zhangjiagang Economic and Technological Development Zone",
    ),
    StreetRow("320582403", "张家港保税区", "Zhangjiagang Bonded Zone"),
    StreetRow("320582406", "张家港市冶金工业园", "Zhangjiagang Metallurgical Industrial Park"),
    StreetRow("320582407", "双山岛旅游度假区", "Shuangshan Island Tourist Resort"),
    StreetRow("320583100", "玉山镇", "Yushan Town"),
    StreetRow("320583101", "巴城镇", "Bacheng Town"),
    StreetRow("320583102", "周市镇", "Zhoushi Town"),
    StreetRow("320583103", "陆家镇", "Lujia Town"),
    StreetRow("320583104", "花桥镇", "Huaqiao Town"),
    StreetRow("320583106", "张浦镇", "Zhangpu Town"),
    StreetRow("320583108", "千灯镇", "Qiandeng Town"),
    StreetRow("320583400", "昆山开发区", "Kunshan Development Zone"),
    StreetRow("320583401", "昆山旅游度假区", "Kunshan Tourist Resort"),
    StreetRow("320585100", "城厢镇", "Chengxiang Town"),
    StreetRow("320585101", "沙溪镇", "Shaxi Town"),
    StreetRow("320585102", "浏河镇", "Liuhe Town"),
    StreetRow("320585103", "浮桥镇", "Fuqiao Town"),
    StreetRow("320585104", "璜泾镇", "Huangjing Town"),
    StreetRow("320585105", "双凤镇", "Shuangfeng Town"),
    StreetRow("320585400", "经济开发区", "Economic Development Zone"),
    StreetRow("320585403", "科教新城", "Science and Education New Town"),
)
