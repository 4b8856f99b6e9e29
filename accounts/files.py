"""The account's and the filing's QR code images, to those who may see the account (govmedia.core.files)."""
from django.shortcuts import get_object_or_404

from govmedia.core.files import download_name

from .models import Account, Filing


def account_qr(user, pk):
    account = get_object_or_404(Account.objects.for_user(user), pk=pk)
    return account.qr_code, download_name(f"{account.name}-二维码", account.qr_code)


def filing_qr(user, pk):
    filing = get_object_or_404(Filing.objects.for_user(user).select_related("account"), pk=pk)
    return filing.qr_code, download_name(f"备案{filing.pk}-二维码", filing.qr_code)


# code → (model, field, resolver): URLs files/<code>/<pk>/ and api/v1/files/<code>/<pk>/ (govmedia/urls.py).
FILES = {
    "account-qr": ("accounts.account", "qr_code", account_qr),
    "filing-qr": ("accounts.filing", "qr_code", filing_qr),
}
