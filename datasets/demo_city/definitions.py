"""Fixed definitions of the synthetic Demo City (示例市): units, categories, collectors,
indicators, special assessments and the functional-target templates.

Everything here is invented. The names are generic government body names; no figure in
the data set belongs to a real unit. ``generate.py`` turns these definitions into data.
"""
from __future__ import annotations

CITY = {"zh": "示例市", "en": "Demo City"}
SYNTHETIC_ZH = "虚构示例数据"
SYNTHETIC_EN = "synthetic demo data"

CATEGORIES = [
    ("district", "区县市(功能区)", "Districts, counties and zones"),
    ("party", "党群部门", "Party and mass organisations"),
    ("government", "政府部门", "Government departments"),
    ("institution", "事业单位及垂管单位", "Public institutions and vertically managed units"),
]

# unit_id, name_zh, name_en, category
UNITS = [
    ("dist_central", "中心区", "Central District", "district"),
    ("dist_east", "东区", "East District", "district"),
    ("dist_west", "西区", "West District", "district"),
    ("dist_south", "南区", "South District", "district"),
    ("dist_beishan", "北山县", "Beishan County", "district"),
    ("dist_linjiang", "临江县", "Linjiang County", "district"),
    ("dist_qingfeng", "青峰县", "Qingfeng County", "district"),
    ("dist_shuanghe", "双河县", "Shuanghe County", "district"),
    ("dist_scenic", "风景名胜区管理局", "Scenic Area Administration", "district"),
    ("dist_devzone", "经济技术开发区", "Economic and Technological Development Zone", "district"),
    ("party_discipline", "市纪委监委", "Municipal Commission for Discipline Inspection and Supervision", "party"),
    ("party_org", "市委组织部", "Organisation Department of the Municipal Party Committee", "party"),
    ("party_publicity", "市委宣传部", "Publicity Department of the Municipal Party Committee", "party"),
    ("party_united", "市委统战部", "United Front Work Department", "party"),
    ("party_legal", "市委政法委", "Political and Legal Affairs Commission", "party"),
    ("party_policy", "市委政策研究室", "Policy Research Office", "party"),
    ("party_office", "市委办公室", "General Office of the Municipal Party Committee", "party"),
    ("party_school", "市委党校", "Party School of the Municipal Party Committee", "party"),
    ("mass_union", "市总工会", "Municipal Federation of Trade Unions", "party"),
    ("mass_youth", "团市委", "Municipal Communist Youth League Committee", "party"),
    ("mass_women", "市妇联", "Municipal Women's Federation", "party"),
    ("mass_science", "市科协", "Municipal Association for Science and Technology", "party"),
    ("gov_office", "市政府办公室", "General Office of the Municipal Government", "government"),
    ("gov_dev", "市发展和改革委员会", "Development and Reform Commission", "government"),
    ("gov_edu", "市教育局", "Education Bureau", "government"),
    ("gov_sci", "市科学技术局", "Science and Technology Bureau", "government"),
    ("gov_industry", "市工业和信息化局", "Industry and Information Technology Bureau", "government"),
    ("gov_police", "市公安局", "Public Security Bureau", "government"),
    ("gov_civil", "市民政局", "Civil Affairs Bureau", "government"),
    ("gov_justice", "市司法局", "Justice Bureau", "government"),
    ("gov_finance", "市财政局", "Finance Bureau", "government"),
    ("gov_hr", "市人力资源和社会保障局", "Human Resources and Social Security Bureau", "government"),
    ("gov_land", "市自然资源和规划局", "Natural Resources and Planning Bureau", "government"),
    ("gov_ecology", "市生态环境局", "Ecology and Environment Bureau", "government"),
    ("gov_housing", "市住房和城乡建设局", "Housing and Urban-Rural Development Bureau", "government"),
    ("gov_transport", "市交通运输局", "Transport Bureau", "government"),
    ("gov_water", "市水利局", "Water Resources Bureau", "government"),
    ("gov_agri", "市农业农村局", "Agriculture and Rural Affairs Bureau", "government"),
    ("gov_commerce", "市商务局", "Commerce Bureau", "government"),
    ("gov_tourism", "市文化旅游广电体育局", "Culture, Tourism, Radio, Television and Sports Bureau", "government"),
    ("gov_health", "市卫生健康委员会", "Health Commission", "government"),
    ("gov_veterans", "市退役军人事务局", "Veterans Affairs Bureau", "government"),
    ("gov_emergency", "市应急管理局", "Emergency Management Bureau", "government"),
    ("gov_audit", "市审计局", "Audit Bureau", "government"),
    ("gov_market", "市市场监督管理局", "Market Regulation Bureau", "government"),
    ("gov_stats", "市统计局", "Statistics Bureau", "government"),
    ("gov_urban", "市城市管理和综合执法局", "Urban Management and Law Enforcement Bureau", "government"),
    ("gov_approval", "市行政审批服务局", "Administrative Approval Service Bureau", "government"),
    ("inst_tax", "市税务局", "Municipal Taxation Bureau (vertically managed)", "institution"),
    ("inst_weather", "市气象局", "Meteorological Bureau (vertically managed)", "institution"),
    ("inst_tobacco", "市烟草专卖局", "Tobacco Monopoly Bureau (vertically managed)", "institution"),
    ("inst_post", "市邮政管理局", "Postal Administration (vertically managed)", "institution"),
    ("inst_survey", "国家统计局示例调查队", "Survey Office of the National Bureau of Statistics in Demo City", "institution"),
    ("inst_fund", "市住房公积金管理中心", "Housing Provident Fund Management Centre", "institution"),
    ("inst_trading", "市公共资源交易中心", "Public Resources Trading Centre", "institution"),
    ("inst_media", "市融媒体中心", "Municipal Media Centre", "institution"),
    ("inst_supply", "市供销合作社", "Supply and Marketing Cooperative", "institution"),
    ("inst_affairs", "市机关事务服务中心", "Government Offices Administration Centre", "institution"),
    ("inst_fire", "市消防救援支队", "Fire and Rescue Detachment", "institution"),
    ("inst_power", "示例供电公司", "Demo City Power Supply Company (vertically managed)", "institution"),
]

# collector_id: (name_zh, name_en, evaluated unit or "", indicators it supplies)
COLLECTORS = {
    "perf_office": ("市绩效办", "Performance Evaluation Office", "", ["functional targets"]),
    "party_org": ("市委组织部", "Organisation Department", "party_org", ["party_building"]),
    "gov_justice": ("市司法局", "Justice Bureau", "gov_justice", ["rule_of_law", "reconsideration"]),
    "gov_office": ("市政府办公室", "General Office of the Municipal Government", "gov_office",
                   ["openness", "proposals"]),
    "gov_approval": ("市行政审批服务局(12345热线中心)", "Administrative Approval Service Bureau (12345 hotline centre)",
                     "gov_approval", ["hotline", "hotline_satisfaction"]),
    "party_discipline": ("市纪委监委", "Commission for Discipline Inspection", "party_discipline", ["integrity"]),
    "gov_finance": ("市财政局", "Finance Bureau", "gov_finance", ["budget", "fiscal_revenue_growth"]),
    "gov_emergency": ("市应急管理局", "Emergency Management Bureau", "gov_emergency", ["safety_accidents"]),
    "gov_stats": ("市统计局", "Statistics Bureau", "gov_stats", ["gdp_growth", "energy_intensity"]),
    "gov_tourism": ("市文化旅游广电体育局", "Culture and Tourism Bureau", "gov_tourism",
                    ["tourism_revenue_growth", "tourist_growth"]),
    "gov_ecology": ("市生态环境局", "Ecology and Environment Bureau", "gov_ecology", ["air_quality", "pm25"]),
    "inst_survey": ("国家统计局示例调查队", "NBS Survey Office", "inst_survey", ["income_growth"]),
}

ALL = ("district", "party", "government", "institution")
NOT_PARTY = ("district", "government", "institution")

# Common indicators (共性指标): id -> definition (points are per year, see generate.py)
COMMON = {
    "party_building": dict(zh="党建工作", en="Party building", kind="qualitative", unit="等级 grade",
                           collector="party_org", categories=ALL,
                           rule={"method": "grade_map", "mapping": {"A": 1.0, "B": 0.9, "C": 0.75, "D": 0.5}}),
    "rule_of_law": dict(zh="法治政府建设", en="Rule-of-law government", kind="qualitative", unit="等级 grade",
                        collector="gov_justice", categories=ALL,
                        rule={"method": "grade_map", "mapping": {"A": 1.0, "B": 0.85, "C": 0.7, "D": 0.5}}),
    "reconsideration": dict(zh="行政复议纠错率", en="Administrative reconsideration correction rate", unit="%",
                            collector="gov_justice", categories=("district", "government"), range=(0, 100),
                            direction="higher", rule={"method": "linear", "floor": 0, "target": 10}),
    "openness": dict(zh="政务公开测评得分", en="Government openness score", unit="分 points",
                     collector="gov_office", categories=NOT_PARTY, range=(0, 100),
                     rule={"method": "banded", "bands": [[90, 1.0], [80, 0.85], [70, 0.7], [60, 0.5]]}),
    "hotline": dict(zh="12345热线按时办结率", en="12345 hotline on-time resolution rate", unit="%",
                    collector="gov_approval", categories=NOT_PARTY, range=(0, 100),
                    rule={"method": "linear", "floor": 85, "target": 99}),
    "hotline_satisfaction": dict(zh="12345热线群众满意率", en="12345 hotline caller satisfaction rate", unit="%",
                                 collector="gov_approval", categories=NOT_PARTY, range=(0, 100),
                                 rule={"method": "linear", "floor": 80, "target": 98}),
    "proposals": dict(zh="人大代表建议和政协提案按时办结率", en="Deputies' proposals handled on time",
                      unit="比率 ratio (0-1)", collector="gov_office", categories=ALL, range=(0, 1),
                      rule={"method": "completion", "target": 1.0, "cap": 1.0}),
    "integrity": dict(zh="党风廉政建设(违纪违法案件数)", en="Integrity (discipline cases)", unit="件 cases",
                      collector="party_discipline", categories=ALL, direction="lower", range=(0, 50),
                      rule={"method": "deduction", "per": 0.25, "floor": 0.0}),
    "budget": dict(zh="预算执行率", en="Budget execution rate", unit="%", collector="gov_finance",
                   categories=ALL, range=(0, 100), rule={"method": "linear", "floor": 70, "target": 95}),
    "safety_accidents": dict(zh="生产安全事故起数", en="Work-safety accidents", unit="起 accidents",
                             collector="gov_emergency", categories=NOT_PARTY, direction="lower", range=(0, 100),
                             rule={"method": "deduction", "per": 0.5, "floor": 0.0}),
}

# District development block (区县发展指标): statistical indicators, normalised
DEVELOPMENT = {
    "gdp_growth": dict(zh="地区生产总值增长率", en="GDP growth", unit="%", collector="gov_stats",
                       normalise={"method": "goalposts", "low": 2.0, "high": 9.0}),
    "fiscal_revenue_growth": dict(zh="一般公共预算收入增长率", en="General budget revenue growth", unit="%",
                                  collector="gov_finance", normalise={"method": "minmax"}),
    "tourism_revenue_growth": dict(zh="旅游总收入增长率", en="Tourism revenue growth", unit="%",
                                   collector="gov_tourism", normalise={"method": "minmax"}),
    "tourist_growth": dict(zh="接待游客人次增长率", en="Tourist arrivals growth", unit="%",
                           collector="gov_tourism", normalise={"method": "minmax"}),
    "income_growth": dict(zh="居民人均可支配收入增长率", en="Per-capita disposable income growth", unit="%",
                          collector="inst_survey", normalise={"method": "goalposts", "low": 3.0, "high": 9.0}),
    "air_quality": dict(zh="空气质量优良天数比率", en="Share of days with good air quality", unit="%",
                        collector="gov_ecology", range=(0, 100),
                        normalise={"method": "goalposts", "low": 80.0, "high": 100.0}),
    "pm25": dict(zh="PM2.5年均浓度", en="PM2.5 annual mean concentration", unit="µg/m³", collector="gov_ecology",
                 direction="lower", range=(0, 500), normalise={"method": "minmax"}),
    "energy_intensity": dict(zh="单位GDP能耗降低率", en="Reduction in energy use per unit of GDP", unit="%",
                             collector="gov_stats", normalise={"method": "minmax"}),
}

# Special assessments (专项考核)
# Plan control (总量控制): the city's annual plan allows at most this many special assessments to be
# folded into the comprehensive evaluation (planted: seven run from 2023 on).
SPECIAL_CAP = 6
# Inspection windows (MM-DD, the same every year) in which each kind of inspection may be held; the
# joint schedule (统一组织检查) may move inspections within them.
WINDOWS = {"mid_year": ("06-01", "08-15"), "year_end": ("10-20", "12-25")}
# Governance of each special assessment: legal basis or approving document (fictional numbers),
# approval status (approved = 经市委、市政府审批纳入年度计划; none = 未经审批, planted for
# sp_tourism_order), year approved, how often the covered units report data (submissions a year),
# and the grades its results use (best first).
SPECIAL_GOVERNANCE = {
    "sp_work_safety": dict(basis=("《中华人民共和国安全生产法》；示例市委办〔2022〕3号（虚构）",
                                  "Work Safety Law; municipal notice No. 3 of 2022 (fictional)"),
                           approval="approved", approved=2022, frequency="quarterly"),
    "sp_ecology": dict(basis=("《中华人民共和国环境保护法》；示例市委办〔2022〕3号（虚构）",
                              "Environmental Protection Law; municipal notice No. 3 of 2022 (fictional)"),
                       approval="approved", approved=2022, frequency="quarterly"),
    "sp_rural": dict(basis=("《中华人民共和国乡村振兴促进法》；示例市委办〔2022〕3号（虚构）",
                            "Rural Revitalisation Promotion Law; municipal notice No. 3 of 2022 (fictional)"),
                     approval="approved", approved=2022, frequency="semiannual"),
    "sp_business": dict(basis=("《优化营商环境条例》；示例市委办〔2022〕3号（虚构）",
                               "Regulation on Optimising the Business Environment; municipal notice No. 3 of 2022 "
                               "(fictional)"),
                        approval="approved", approved=2022, frequency="quarterly"),
    "sp_security": dict(basis=("平安建设工作考核办法；示例市委办〔2022〕3号（虚构）",
                               "Safe City assessment rules; municipal notice No. 3 of 2022 (fictional)"),
                        approval="approved", approved=2022, frequency="quarterly"),
    "sp_civilisation": dict(basis=("全国文明城市测评体系；示例市委办〔2022〕3号（虚构）",
                                   "National civilised-city assessment framework; municipal notice No. 3 of 2022 "
                                   "(fictional)"),
                            approval="approved", approved=2022, frequency="monthly"),
    "sp_tourism_order": dict(basis=("市文化旅游广电体育局自行制定的考核办法（未报批）",
                                    "Rules drawn up by the Culture and Tourism Bureau itself (never submitted "
                                    "for approval)"),
                             approval="none", approved=None, frequency="quarterly"),
}
SPECIAL_GRADES = ["A", "B", "C", "D"]

SPECIAL = {
    "sp_work_safety": dict(
        zh="安全生产考核", en="Work safety", owner="gov_emergency", covers=ALL, since=2022,
        indicators=[
            ("safety_accidents", "生产安全事故起数", "Work-safety accidents", "起", "lower", 0, 30),
            ("hazard_rectification", "重大隐患整改率", "Major hazards rectified", "%", "higher", 100, 25),
            ("enterprise_inspections", "企业安全检查频次", "Safety inspections per enterprise per year", "次/家",
             "higher", 12, 25),
            ("safety_training", "安全培训覆盖率", "Safety training coverage", "%", "higher", 95, 20),
        ]),
    "sp_ecology": dict(
        zh="生态环境保护考核", en="Ecology and environment", owner="gov_ecology", covers=("district", "government"),
        since=2022,
        indicators=[
            ("water_quality", "地表水考核断面达标率", "Surface water sections meeting standard", "%", "higher", 95, 30),
            ("inspection_rectification", "环保督察问题整改完成率", "Environmental inspection findings rectified", "%",
             "higher", 100, 30),
            ("environmental_cases", "环境违法案件查处", "Environmental violations prosecuted", "件", "higher", 20, 20),
            ("waste_sorting", "生活垃圾分类覆盖率", "Household waste sorting coverage", "%", "higher", 90, 20),
        ]),
    "sp_rural": dict(
        zh="乡村振兴考核", en="Rural revitalisation", owner="gov_agri", covers=("district",), since=2022,
        indicators=[
            ("rural_income_growth", "农村居民人均可支配收入增长", "Rural per-capita income growth", "%", "higher", 7, 30),
            ("grain_area", "粮食播种面积", "Grain sown area", "万亩", "higher", 40, 20),
            ("rural_tourism_revenue", "乡村旅游收入", "Rural tourism revenue", "亿元", "higher", 12, 25),
            ("village_environment", "农村人居环境整治达标村比例", "Villages meeting living-environment standard", "%",
             "higher", 90, 25),
        ]),
    "sp_business": dict(
        zh="优化营商环境考核", en="Business environment", owner="gov_dev", covers=NOT_PARTY, since=2022,
        indicators=[
            ("approval_time", "审批时限压缩率", "Reduction of approval times", "%", "higher", 60, 30),
            ("enterprise_inspections", "涉企检查频次", "Inspections per enterprise per year", "次/家", "lower", 4, 25),
            ("market_entities_growth", "市场主体增长率", "Growth of registered businesses", "%", "higher", 10, 20),
            ("business_satisfaction", "企业满意度", "Business satisfaction", "分", "higher", 90, 25),
        ]),
    "sp_security": dict(
        zh="平安建设考核", en="Public security (Safe City)", owner="party_legal", covers=ALL, since=2022,
        indicators=[
            ("safety_accidents", "生产安全事故起数", "Work-safety accidents", "起", "lower", 0, 20),
            ("criminal_cases", "刑事案件发案率", "Criminal case rate", "件/万人", "lower", 25, 30),
            ("petition_resolution", "信访事项化解率", "Petitions resolved", "%", "higher", 95, 25),
            ("sense_of_security", "群众安全感", "Residents' sense of security", "%", "higher", 95, 25),
        ]),
    "sp_civilisation": dict(
        zh="文明创建考核", en="Civilised city creation", owner="party_publicity", covers=ALL, since=2022,
        indicators=[
            ("volunteer_rate", "注册志愿者占比", "Registered volunteers", "%", "higher", 15, 30),
            ("civility_checks", "文明行为暗访达标率", "Unannounced civility checks passed", "%", "higher", 95, 40),
            ("public_notices", "公益广告刊播", "Public-service notices placed", "条", "higher", 50, 30),
        ]),
    "sp_tourism_order": dict(
        zh="旅游市场秩序考核", en="Tourism market order", owner="gov_tourism", covers=("district", "government"),
        since=2023,
        indicators=[
            ("tourist_complaints", "旅游投诉按时办结率", "Tourist complaints handled on time", "%", "higher", 98, 40),
            ("price_violations", "景区价格违法案件", "Price violations at scenic spots", "件", "lower", 2, 30),
            ("unlicensed_guides", "无证导游查处", "Unlicensed guides caught", "人次", "higher", 30, 30),
        ]),
}

# Functional targets (职能目标): unit -> specific tasks
# (label_zh, label_en, measure, base_target, direction, rule, cap, kind)
#   rule: completion | binary; kind: flow (cumulative over the year) | level (a rate) | milestone
TASKS = {
    "dist_central": [
        ("重点项目投资完成额", "Investment in key projects", "亿元", 85, "higher", "completion", 1.1, "flow"),
        ("老旧小区改造", "Old residential compounds renovated", "个", 40, "higher", "completion", 1.0, "flow"),
        ("招商引资到位资金", "Investment attracted and paid in", "亿元", 60, "higher", "completion", 1.2, "flow"),
        ("信访积案化解率", "Backlog petitions resolved", "%", 95, "higher", "completion", 1.0, "level"),
    ],
    "dist_east": [
        ("重点项目投资完成额", "Investment in key projects", "亿元", 70, "higher", "completion", 1.1, "flow"),
        ("城市更新片区建设", "Urban renewal zone built", "项", 1, "higher", "binary", None, "milestone"),
        ("新增规模以上企业", "New enterprises above designated size", "家", 25, "higher", "completion", 1.2, "flow"),
    ],
    "dist_west": [
        ("重点项目投资完成额", "Investment in key projects", "亿元", 55, "higher", "completion", 1.1, "flow"),
        ("夜间经济街区打造", "Night-economy street developed", "个", 2, "higher", "completion", 1.0, "flow"),
        ("新增城镇就业", "New urban jobs", "人", 6000, "higher", "completion", 1.1, "flow"),
        ("黑臭水体整治", "Black and odorous water bodies cleaned", "处", 6, "higher", "completion", 1.0, "flow"),
    ],
    "dist_south": [
        ("重点项目投资完成额", "Investment in key projects", "亿元", 50, "higher", "completion", 1.1, "flow"),
        ("产业园区标准厂房建设", "Standard factory floor space built", "万平方米", 30, "higher", "completion", 1.0, "flow"),
        ("征地拆迁任务", "Land acquisition task completed", "亩", 1200, "higher", "completion", 1.0, "flow"),
    ],
    "dist_beishan": [
        ("乡村振兴示范村创建", "Model villages for rural revitalisation", "个", 8, "higher", "completion", 1.0, "flow"),
        ("高标准农田建设", "High-standard farmland built", "万亩", 3, "higher", "completion", 1.0, "flow"),
        ("全域旅游示范区创建", "All-for-one tourism demonstration zone", "项", 1, "higher", "binary", None, "milestone"),
        ("森林火灾受害率", "Forest fire damage rate", "‰", 0.9, "lower", "completion", 1.0, "level"),
    ],
    "dist_linjiang": [
        ("乡村振兴示范村创建", "Model villages for rural revitalisation", "个", 6, "higher", "completion", 1.0, "flow"),
        ("沿江生态修复", "Riverbank ecological restoration", "公里", 15, "higher", "completion", 1.0, "flow"),
        ("特色农产品加工产值", "Output of speciality agro-processing", "亿元", 22, "higher", "completion", 1.2, "flow"),
    ],
    "dist_qingfeng": [
        ("乡村振兴示范村创建", "Model villages for rural revitalisation", "个", 5, "higher", "completion", 1.0, "flow"),
        ("民宿集群建设", "Guesthouse clusters built", "个", 3, "higher", "completion", 1.0, "flow"),
        ("农村公路提质改造", "Rural roads upgraded", "公里", 80, "higher", "completion", 1.0, "flow"),
        ("地质灾害隐患点治理", "Geological hazard sites treated", "处", 12, "higher", "completion", 1.0, "flow"),
    ],
    "dist_shuanghe": [
        ("乡村振兴示范村创建", "Model villages for rural revitalisation", "个", 5, "higher", "completion", 1.0, "flow"),
        ("茶叶种植面积", "Tea plantation area", "万亩", 12, "higher", "completion", 1.1, "flow"),
        ("易地搬迁后续扶持", "Follow-up support for relocated households", "户", 900, "higher", "completion", 1.0, "flow"),
    ],
    "dist_scenic": [
        ("景区接待游客人次", "Visitors to the scenic area", "万人次", 900, "higher", "completion", 1.2, "flow"),
        ("景区门票及二次消费收入", "Ticket and secondary spending revenue", "亿元", 18, "higher", "completion", 1.2, "flow"),
        ("5A景区复核整改", "5A scenic-area review rectification", "项", 1, "higher", "binary", None, "milestone"),
        ("游客投诉量", "Tourist complaints", "件", 150, "lower", "completion", 1.0, "flow"),
    ],
    "dist_devzone": [
        ("规模工业增加值", "Value added of industry above designated size", "亿元", 120, "higher", "completion", 1.2, "flow"),
        ("新引进重大项目", "Major projects newly attracted", "个", 12, "higher", "completion", 1.2, "flow"),
        ("高新技术企业", "High-tech enterprises", "家", 45, "higher", "completion", 1.1, "flow"),
    ],
    "party_discipline": [
        ("巡察覆盖单位", "Units covered by inspection tours", "个", 24, "higher", "completion", 1.0, "flow"),
        ("问题线索处置率", "Leads on problems dealt with", "%", 100, "higher", "completion", 1.0, "level"),
    ],
    "party_org": [
        ("基层党组织标准化建设", "Standardised grass-roots party branches", "个", 300, "higher", "completion", 1.0, "flow"),
        ("干部教育培训", "Cadres trained", "人次", 3000, "higher", "completion", 1.0, "flow"),
    ],
    "party_publicity": [
        ("文明城市测评迎检", "Civilised-city appraisal prepared", "项", 1, "higher", "binary", None, "milestone"),
        ("对外宣传稿件上稿量", "External publicity articles placed", "篇", 400, "higher", "completion", 1.2, "flow"),
    ],
    "party_united": [
        ("民营经济人士联系服务", "Private entrepreneurs visited and served", "人次", 500, "higher", "completion", 1.0, "flow"),
        ("民族团结进步示范单位创建", "Ethnic unity model units", "个", 10, "higher", "completion", 1.0, "flow"),
    ],
    "party_legal": [
        ("矛盾纠纷化解率", "Disputes resolved", "%", 96, "higher", "completion", 1.0, "level"),
        ("平安建设群众满意度", "Satisfaction with Safe City work", "%", 92, "higher", "completion", 1.0, "level"),
    ],
    "party_policy": [
        ("重大课题调研报告", "Research reports on major topics", "篇", 12, "higher", "completion", 1.2, "flow"),
        ("调研成果获领导批示", "Reports endorsed by city leaders", "篇", 6, "higher", "completion", 1.2, "flow"),
    ],
    "party_office": [
        ("督查督办事项办结率", "Supervised matters closed", "%", 98, "higher", "completion", 1.0, "level"),
        ("信息报送采用", "Information reports adopted", "篇", 150, "higher", "completion", 1.2, "flow"),
    ],
    "party_school": [
        ("主体班次培训", "Core training classes held", "期", 30, "higher", "completion", 1.0, "flow"),
        ("决策咨询成果", "Policy advice outputs", "篇", 15, "higher", "completion", 1.2, "flow"),
    ],
    "mass_union": [
        ("困难职工帮扶", "Workers in hardship supported", "人", 1500, "higher", "completion", 1.0, "flow"),
        ("新就业形态劳动者入会", "Gig workers joining the union", "人", 4000, "higher", "completion", 1.1, "flow"),
    ],
    "mass_youth": [
        ("青年志愿服务时长", "Youth volunteer hours", "万小时", 20, "higher", "completion", 1.1, "flow"),
        ("青年创业就业见习岗位", "Youth internship posts", "个", 800, "higher", "completion", 1.0, "flow"),
    ],
    "mass_women": [
        ("妇女两癌筛查", "Women screened for cervical and breast cancer", "万人", 4, "higher", "completion", 1.0, "flow"),
        ("巾帼创业示范基地", "Women's entrepreneurship bases", "个", 10, "higher", "completion", 1.0, "flow"),
    ],
    "mass_science": [
        ("公民具备科学素质比例", "Citizens with basic scientific literacy", "%", 14, "higher", "completion", 1.0, "level"),
        ("科普活动场次", "Science popularisation events", "场", 200, "higher", "completion", 1.1, "flow"),
    ],
    "gov_office": [
        ("政务服务事项一网通办率", "Services available online", "%", 95, "higher", "completion", 1.0, "level"),
        ("督查督办事项办结率", "Supervised matters closed", "%", 98, "higher", "completion", 1.0, "level"),
    ],
    "gov_dev": [
        ("固定资产投资增长", "Fixed-asset investment growth", "%", 8, "higher", "completion", 1.2, "level"),
        ("争取中央预算内投资", "Central budget investment secured", "亿元", 10, "higher", "completion", 1.2, "flow"),
        ("重大项目前期工作", "Major projects with completed preparatory work", "个", 30, "higher", "completion", 1.0, "flow"),
    ],
    "gov_edu": [
        ("新建改扩建学校", "Schools built or expanded", "所", 12, "higher", "completion", 1.0, "flow"),
        ("普惠性幼儿园覆盖率", "Affordable kindergarten coverage", "%", 88, "higher", "completion", 1.0, "level"),
        ("义务教育大班额消除", "Oversized classes eliminated", "项", 1, "higher", "binary", None, "milestone"),
    ],
    "gov_sci": [
        ("高新技术企业净增", "Net new high-tech enterprises", "家", 60, "higher", "completion", 1.2, "flow"),
        ("技术合同成交额", "Technology contract turnover", "亿元", 25, "higher", "completion", 1.2, "flow"),
    ],
    "gov_industry": [
        ("规模工业增加值增长", "Industrial value-added growth", "%", 7.5, "higher", "completion", 1.2, "level"),
        ("新增规模以上工业企业", "New industrial enterprises above designated size",
         "家", 50, "higher", "completion", 1.1, "flow"),
        ("5G基站建设", "5G base stations built", "个", 1200, "higher", "completion", 1.0, "flow"),
    ],
    "gov_police": [
        ("刑事案件破案率", "Criminal case clearance rate", "%", 70, "higher", "completion", 1.1, "level"),
        ("电信网络诈骗案件发案数", "Telecom fraud cases", "起", 900, "lower", "completion", 1.0, "flow"),
        ("旅游景区治安秩序整治", "Public order campaign at scenic spots", "项", 1, "higher", "binary", None, "milestone"),
    ],
    "gov_civil": [
        ("养老服务床位", "Elderly care beds", "张", 2000, "higher", "completion", 1.0, "flow"),
        ("社区居家养老服务中心", "Community elderly care centres", "个", 40, "higher", "completion", 1.0, "flow"),
    ],
    "gov_justice": [
        ("行政规范性文件合法性审核率", "Normative documents reviewed for legality", "%", 100, "higher", "completion", 1.0, "level"),
        ("公共法律服务事项", "Public legal services delivered", "件", 12000, "higher", "completion", 1.1, "flow"),
    ],
    "gov_finance": [
        ("一般公共预算收入", "General budget revenue", "亿元", 120, "higher", "completion", 1.1, "flow"),
        ("新增专项债券资金", "New special-purpose bond funds", "亿元", 45, "higher", "completion", 1.1, "flow"),
        ("预算绩效评价覆盖率", "Budget performance reviews coverage", "%", 100, "higher", "completion", 1.0, "level"),
    ],
    "gov_hr": [
        ("城镇新增就业", "New urban jobs", "人", 30000, "higher", "completion", 1.1, "flow"),
        ("城镇调查失业率", "Surveyed urban unemployment rate", "%", 5.5, "lower", "completion", 1.0, "level"),
        ("技能人才培训", "Skilled workers trained", "人次", 20000, "higher", "completion", 1.0, "flow"),
    ],
    "gov_land": [
        ("建设用地供应", "Construction land supplied", "亩", 8000, "higher", "completion", 1.0, "flow"),
        ("国土空间规划编制", "Territorial spatial plan completed", "项", 1, "higher", "binary", None, "milestone"),
        ("耕地保护任务", "Farmland protection target", "万亩", 350, "higher", "completion", 1.0, "level"),
    ],
    "gov_ecology": [
        ("中心城区空气优良天数比率", "Good-air days in the central city", "%", 92, "higher", "completion", 1.0, "level"),
        ("国省控断面水质达标率", "Monitored water sections meeting standard", "%", 100, "higher", "completion", 1.0, "level"),
        ("环保督察问题整改", "Environmental inspection findings rectified", "个", 60, "higher", "completion", 1.0, "flow"),
    ],
    "gov_housing": [
        ("保障性租赁住房筹集", "Affordable rental homes raised", "套", 3000, "higher", "completion", 1.0, "flow"),
        ("城镇老旧小区改造", "Old residential compounds renovated", "个", 150, "higher", "completion", 1.0, "flow"),
        ("城市燃气管道更新", "Urban gas pipes renewed", "公里", 120, "higher", "completion", 1.0, "flow"),
        ("建筑施工安全事故", "Construction safety accidents", "起", 3, "lower", "completion", 1.0, "flow"),
    ],
    "gov_transport": [
        ("交通固定资产投资", "Transport fixed-asset investment", "亿元", 70, "higher", "completion", 1.1, "flow"),
        ("旅游公路建设", "Tourist roads built", "公里", 60, "higher", "completion", 1.0, "flow"),
        ("机场旅客吞吐量", "Airport passenger throughput", "万人次", 300, "higher", "completion", 1.2, "flow"),
    ],
    "gov_water": [
        ("水利投资完成", "Water conservancy investment", "亿元", 25, "higher", "completion", 1.0, "flow"),
        ("病险水库除险加固", "Dangerous reservoirs reinforced", "座", 15, "higher", "completion", 1.0, "flow"),
    ],
    "gov_agri": [
        ("粮食播种面积", "Grain sown area", "万亩", 160, "higher", "completion", 1.0, "level"),
        ("农产品加工产值", "Agro-processing output", "亿元", 380, "higher", "completion", 1.1, "flow"),
        ("农村人居环境整治", "Villages with improved living environment", "个", 200, "higher", "completion", 1.0, "flow"),
    ],
    "gov_commerce": [
        ("社会消费品零售总额增长", "Retail sales growth", "%", 7, "higher", "completion", 1.2, "level"),
        ("实际利用外资", "Foreign direct investment used", "亿美元", 2.5, "higher", "completion", 1.2, "flow"),
        ("县域商业体系建设", "County commercial network built", "项", 1, "higher", "binary", None, "milestone"),
    ],
    "gov_tourism": [
        ("接待游客总人次", "Total tourist arrivals", "万人次", 8000, "higher", "completion", 1.2, "flow"),
        ("旅游总收入", "Total tourism revenue", "亿元", 950, "higher", "completion", 1.2, "flow"),
        ("新创A级旅游景区", "New A-grade scenic spots", "家", 3, "higher", "completion", 1.0, "flow"),
        ("文旅重点项目投资", "Investment in key culture and tourism projects", "亿元", 60, "higher", "completion", 1.1, "flow"),
        ("入境游客人次", "Inbound tourist arrivals", "万人次", 45, "higher", "completion", 1.2, "flow"),
    ],
    "gov_health": [
        ("每千人口执业医师数", "Practising doctors per 1,000 people", "人", 3.2, "higher", "completion", 1.0, "level"),
        ("县域医共体建设", "County medical alliances built", "个", 6, "higher", "completion", 1.0, "flow"),
        ("传染病报告及时率", "Timely infectious disease reporting", "%", 100, "higher", "completion", 1.0, "level"),
    ],
    "gov_veterans": [
        ("退役军人就业安置", "Veterans placed in jobs", "人", 900, "higher", "completion", 1.0, "flow"),
        ("服务站标准化建设", "Standardised veterans service stations", "个", 120, "higher", "completion", 1.0, "flow"),
    ],
    "gov_emergency": [
        ("安全生产隐患排查整治", "Safety hazards investigated and fixed", "处", 5000, "higher", "completion", 1.0, "flow"),
        ("应急演练", "Emergency drills held", "场", 120, "higher", "completion", 1.0, "flow"),
        ("亿元GDP生产安全事故死亡率", "Work-safety deaths per 100 million yuan GDP",
         "人", 0.02, "lower", "completion", 1.0, "level"),
    ],
    "gov_audit": [
        ("审计项目完成", "Audit projects completed", "个", 45, "higher", "completion", 1.0, "flow"),
        ("审计查出问题整改率", "Audit findings rectified", "%", 95, "higher", "completion", 1.0, "level"),
    ],
    "gov_market": [
        ("市场主体净增", "Net new market entities", "户", 20000, "higher", "completion", 1.1, "flow"),
        ("食品安全抽检", "Food safety samples tested", "批次", 9000, "higher", "completion", 1.0, "flow"),
        ("旅游市场价格投诉办结率", "Tourism price complaints closed", "%", 98, "higher", "completion", 1.0, "level"),
    ],
    "gov_stats": [
        ("统计数据质量核查", "Statistical data quality checks", "次", 20, "higher", "completion", 1.0, "flow"),
        ("经济普查专项", "Economic census task", "项", 1, "higher", "binary", None, "milestone"),
    ],
    "gov_urban": [
        ("城市精细化管理考评", "Urban management appraisal score", "分", 90, "higher", "completion", 1.0, "level"),
        ("违法建设查处", "Illegal buildings removed", "万平方米", 30, "higher", "completion", 1.0, "flow"),
        ("生活垃圾无害化处理率", "Waste treated harmlessly", "%", 100, "higher", "completion", 1.0, "level"),
    ],
    "gov_approval": [
        ("审批事项即办率", "Approvals issued on the spot", "%", 70, "higher", "completion", 1.1, "level"),
        ("12345热线工单按时转办率", "Hotline tickets dispatched on time", "%", 99, "higher", "completion", 1.0, "level"),
        ("一件事一次办事项", "One-stop 'single matter' services", "项", 40, "higher", "completion", 1.0, "flow"),
    ],
    "inst_tax": [
        ("税收收入", "Tax revenue", "亿元", 160, "higher", "completion", 1.1, "flow"),
        ("纳税人满意度", "Taxpayer satisfaction", "分", 90, "higher", "completion", 1.0, "level"),
    ],
    "inst_weather": [
        ("气象预警准确率", "Weather warning accuracy", "%", 88, "higher", "completion", 1.0, "level"),
        ("旅游气象服务产品", "Tourism weather service products", "个", 12, "higher", "completion", 1.0, "flow"),
    ],
    "inst_tobacco": [
        ("卷烟销售收入", "Cigarette sales revenue", "亿元", 40, "higher", "completion", 1.1, "flow"),
        ("涉烟违法案件查处", "Tobacco violations prosecuted", "件", 300, "higher", "completion", 1.0, "flow"),
    ],
    "inst_post": [
        ("快递业务量", "Express parcels handled", "万件", 9000, "higher", "completion", 1.1, "flow"),
        ("快递进村覆盖率", "Villages covered by express delivery", "%", 95, "higher", "completion", 1.0, "level"),
    ],
    "inst_survey": [
        ("住户调查样本轮换", "Household survey sample rotated", "项", 1, "higher", "binary", None, "milestone"),
        ("调查数据按时上报率", "Survey data submitted on time", "%", 100, "higher", "completion", 1.0, "level"),
    ],
    "inst_fund": [
        ("公积金归集额", "Provident fund contributions collected", "亿元", 45, "higher", "completion", 1.1, "flow"),
        ("公积金贷款发放", "Provident fund loans issued", "亿元", 30, "higher", "completion", 1.0, "flow"),
    ],
    "inst_trading": [
        ("电子化交易率", "Electronic tendering rate", "%", 100, "higher", "completion", 1.0, "level"),
        ("节约资金率", "Funds saved through tendering", "%", 8, "higher", "completion", 1.2, "level"),
    ],
    "inst_media": [
        ("新媒体平台阅读量", "New-media page views", "亿次", 3, "higher", "completion", 1.2, "flow"),
        ("城市形象宣传片", "City image promotional films", "部", 4, "higher", "completion", 1.0, "flow"),
    ],
    "inst_supply": [
        ("农资供应量", "Agricultural supplies delivered", "万吨", 12, "higher", "completion", 1.0, "flow"),
        ("农产品销售额", "Farm produce sold", "亿元", 20, "higher", "completion", 1.1, "flow"),
    ],
    "inst_affairs": [
        ("公共机构能耗降低", "Energy saving in public institutions", "%", 2, "higher", "completion", 1.0, "level"),
        ("公务用车平台化管理率", "Official cars on the shared platform", "%", 100, "higher", "completion", 1.0, "level"),
    ],
    "inst_fire": [
        ("火灾事故起数", "Fire incidents", "起", 600, "lower", "completion", 1.0, "flow"),
        ("消防安全检查单位", "Premises inspected for fire safety", "家", 6000, "higher", "completion", 1.0, "flow"),
        ("景区消防站建设", "Fire stations at scenic areas", "个", 3, "higher", "completion", 1.0, "flow"),
    ],
    "inst_power": [
        ("供电可靠率", "Power supply reliability", "%", 99.9, "higher", "completion", 1.0, "level"),
        ("农网改造投资", "Rural grid upgrade investment", "亿元", 8, "higher", "completion", 1.0, "flow"),
        ("景区充电桩建设", "EV chargers at scenic spots", "个", 300, "higher", "completion", 1.0, "flow"),
    ],
}

# Generic tasks any unit may carry in addition to its specific ones
GENERIC_TASKS = [
    ("市委市政府交办事项按期办结率", "Assignments from city leaders closed on time", "%", 100, "higher", "completion", 1.0, "level"),
    ("年度重点改革任务", "Annual key reform task", "项", 1, "higher", "binary", None, "milestone"),
    ("对口帮扶村年度任务", "Annual tasks for the paired support village", "项", 6, "higher", "completion", 1.0, "flow"),
    ("政务信息采用", "Government information reports adopted", "篇", 24, "higher", "completion", 1.2, "flow"),
    ("服务旅游强市战略专项任务", "Task under the tourism-city strategy", "项", 3, "higher", "completion", 1.0, "flow"),
    ("基层减负专项整治", "Burden-reduction campaign for grass-roots units", "项", 1, "higher", "binary", None, "milestone"),
    ("数字化转型应用场景", "Digital transformation use cases", "个", 4, "higher", "completion", 1.0, "flow"),
    ("干部职工培训覆盖率", "Staff training coverage", "%", 100, "higher", "completion", 1.0, "level"),
]

SURVEY_ITEMS = [
    ("q1_attitude", "服务态度", "Service attitude"),
    ("q2_efficiency", "办事效率", "Efficiency"),
    ("q3_openness", "公开透明", "Openness and transparency"),
    ("q4_integrity", "廉洁自律", "Integrity"),
    ("q5_overall", "总体满意度", "Overall satisfaction"),
]

SURVEY_GROUPS = [
    # id, zh, en, weight, mean respondents per unit
    ("citizens", "市民群众", "Citizens", 0.35, 150),
    ("businesses", "企业", "Businesses", 0.20, 60),
    ("service_users", "服务对象", "Service users", 0.20, 70),
    ("deputies", "人大代表", "People's Congress deputies", 0.15, 24),
    ("cppcc", "政协委员", "CPPCC members", 0.10, 20),
]

# Public comments left in the survey's free-text field, as the office codes them (the
# feedback list shows the most frequent per unit and group, only above the minimum cell size).
SURVEY_COMMENTS_GOOD = [
    "服务态度热情周到", "办事效率高,一次办好", "信息公开及时透明", "窗口服务规范", "工作作风务实",
]
SURVEY_COMMENTS_BAD = [
    "办事效率有待提高", "部分事项仍需多次跑腿", "政策解读不够清楚", "回复群众诉求不够及时",
    "信息公开不够及时", "窗口等候时间较长",
]
COMMENT_SHARE = 0.15  # share of respondents who leave a comment

BONUS_ITEMS = {
    "national_award": ("获国家级表彰", "National award", 1.0),
    "provincial_award": ("获省级表彰", "Provincial award", 0.5),
    "innovation": ("改革创新经验被上级推广", "Innovation adopted by higher levels", 1.0),
    "leader_commendation": ("获市主要领导肯定性批示", "Written commendation by city leaders", 0.3),
}
PENALTY_ITEMS = {
    "accountability": ("被问责", "Accountability case", 1.0),
    "inspection_finding": ("督查检查被通报批评", "Criticised in an inspection notice", 0.5),
    "media_exposure": ("被主流媒体曝光", "Exposed by mainstream media", 0.5),
    "late_data": ("数据报送迟报漏报", "Late or missing data submission", 0.2),
}
VETO_ITEMS = {
    "major_accident": ("发生重大安全事故", "Major safety accident", "cap", "good"),
    "discipline": ("领导班子成员严重违纪违法", "Serious discipline violation in the leadership", "fail", None),
    "task_failure": ("上级考核重点任务未完成被通报", "Failed a designated task of a higher-level assessment", "cap", "pass"),
}
