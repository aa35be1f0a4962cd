"""临海市人民政府 (Linhai, Zhejiang): the 信息公开年报 column, on Hanweb JCMS."""

from spiders.cms.hanweb import HanwebColumnSpider


class LinhaiSpider(HanwebColumnSpider):
    name = "linhai"
    portal_name = "临海市人民政府"
    live_base_url = "https://www.linhai.gov.cn"
    column_path = "/col/col1229317620/index.html"
