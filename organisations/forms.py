from django import forms
from django.contrib.auth.forms import AuthenticationForm

from organisations.models import Organisation, OrganisationKind, Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。",
        "inactive": "该账户已停用。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.is_service:
            raise forms.ValidationError("接口账号不能登录页面，只能使用管理员签发的令牌访问接口。", code="service_account")


class OrganisationForm(forms.Form):
    name = forms.CharField(label="单位名称", max_length=200)
    short_name = forms.CharField(label="简称", max_length=60, required=False)
    kind = forms.ChoiceField(label="单位类型", choices=OrganisationKind.choices)
    parent = forms.ModelChoiceField(label="上级单位", queryset=Organisation.objects.none(), required=False)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=40, required=False)

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents if parents is not None else Organisation.objects.none()


class PersonForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    display_name = forms.CharField(label="姓名", max_length=60)
    phone = forms.CharField(label="手机", max_length=20, required=False)
    email = forms.EmailField(label="电子邮箱", required=False)
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput, help_text="至少8位，含大写字母、小写字母、数字、符号中的至少3类，且不含用户名。")
    role = forms.ChoiceField(label="角色", choices=[("", "（暂不分配）")] + list(Role.choices), required=False)


class MembershipForm(forms.Form):
    user = forms.ModelChoiceField(label="人员", queryset=None)
    role = forms.ChoiceField(label="角色", choices=Role.choices)

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users


class PasswordResetForm(forms.Form):
    password = forms.CharField(label="新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text="告知本人后，其下次登录时须立即修改。")
