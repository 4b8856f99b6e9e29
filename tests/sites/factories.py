import factory

from sites.models import Column, ColumnCategory, Site


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"测试网站{n}")
    url = factory.Sequence(lambda n: f"http://site{n}.example.gov.cn/")


class ColumnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Column

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"栏目{n}")
    category = ColumnCategory.NEWS
