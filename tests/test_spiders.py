"""Portal spiders' per-portal knowledge, without a crawl."""

import pytest
from scrapy.utils.test import get_crawler

from replica.linhai import ground_truth
from spiders.linhai import LinhaiSpider


@pytest.fixture
def spider():
    crawler = get_crawler(LinhaiSpider, {"PORTAL_BASE_URL": "http://127.0.0.1:1"})
    return LinhaiSpider.from_crawler(crawler)


@pytest.mark.parametrize("title", [
    "临海市经济和信息化局2022年政府信息公开工作年度报告",
    "临海市民政局2019年度政府信息公开工作报告",
    "临海市2018年政府信息公开年报",
    "临海市公安局2020年政务信息公开年度报告",
])
def test_report_titles(spider, title):
    assert spider.is_report_title(title)


@pytest.mark.parametrize("title", [
    "《临海市经济和信息化局2022年政府信息公开工作年度报告》解读",
    "图解：临海市2022年政府信息公开工作年度报告",
    "2023年临海市政府工作报告",
    "关于报送2022年政府信息公开工作年度报告的通知",
])
def test_titles_that_are_not_reports(spider, title):
    assert not spider.is_report_title(title)


def test_every_listed_title_of_the_replica_is_classified_as_its_kind(spider):
    for article in ground_truth():
        for listed in (article["title"], article["list_title"]):  # title attribute, anchor text
            if article["kind"] in ("report", "pdf_report"):
                assert spider.is_report(listed, article["title"]), listed
            elif article["kind"] == "interpretation":
                assert not spider.is_report(listed, article["title"]), listed


def test_a_cut_list_title_is_decided_by_the_page_title(spider):
    assert spider.is_report("临海市人力资源和社会保障局2023年政府信息公开工作年…",
                            "临海市人力资源和社会保障局2023年政府信息公开工作年度报告")
    assert not spider.is_report("临海市人力资源和社会保障局2023年政府信息公开工作年…",
                                "《临海市人力资源和社会保障局2023年政府信息公开工作年度报告》解读")


def test_a_mojibake_page_title_does_not_lose_a_report(spider):
    assert spider.is_report("临海市古城街道2018年政府信息公开工作年度报告", "ÁÙº£ÊÐ¹Å³Ç")


def test_portal_base_url_replaces_the_live_site(spider):
    assert spider.url(spider.column_path) == "http://127.0.0.1:1/col/col1229317620/index.html"
    assert spider.allowed_domains == ["127.0.0.1"]


def test_live_site_by_default():
    spider = LinhaiSpider.from_crawler(get_crawler(LinhaiSpider, {"PORTAL_BASE_URL": ""}))
    assert spider.url(spider.column_path) == (
        "https://www.linhai.gov.cn/col/col1229317620/index.html")
    assert spider.allowed_domains == ["www.linhai.gov.cn"]
