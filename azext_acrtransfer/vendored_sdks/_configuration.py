"""The pipeline configuration of ContainerRegistryTransferClient.

Every policy can be replaced by a keyword argument of the same name, which is how Azure CLI's
`get_mgmt_service_client` passes its own authentication, user agent, logging and hook policies.
"""
from azure.core.configuration import Configuration
from azure.core.pipeline import policies
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy, ARMHttpLoggingPolicy

from ._version import API_VERSION, VERSION

DEFAULT_BASE_URL = "https://management.azure.com"
EXTENSION_USER_AGENT = "azext-acrtransfer/{}".format(VERSION)


class ContainerRegistryTransferClientConfiguration(Configuration):  # pylint: disable=too-many-instance-attributes
    """Holds the subscription, endpoint and policies of one client.

    :param credential: an azure-core TokenCredential (has `get_token`).
    :param str subscription_id: the subscription every request addresses.
    :param str base_url: the ARM endpoint; its `/.default` scope is asked for unless `credential_scopes` is given.
    """

    def __init__(self, credential, subscription_id, base_url=DEFAULT_BASE_URL, **kwargs):
        if credential is None:
            raise ValueError("Parameter 'credential' must not be None.")
        if not subscription_id:
            raise ValueError("Parameter 'subscription_id' must not be empty.")
        super().__init__(**kwargs)  # polling_interval
        self.credential = credential
        self.subscription_id = subscription_id
        self.base_url = base_url
        self.api_version = API_VERSION
        # az passes the scopes of the cloud's AD resource, which differ from base_url in sovereign clouds.
        self.credential_scopes = list(kwargs.get("credential_scopes") or [base_url.rstrip("/") + "/.default"])

        self.user_agent_policy = kwargs.get("user_agent_policy") or policies.UserAgentPolicy(**kwargs)
        _name_extension(self.user_agent_policy)
        self.headers_policy = kwargs.get("headers_policy") or policies.HeadersPolicy(**kwargs)
        self.proxy_policy = kwargs.get("proxy_policy") or policies.ProxyPolicy(**kwargs)
        self.logging_policy = kwargs.get("logging_policy") or policies.NetworkTraceLoggingPolicy(**kwargs)
        self.http_logging_policy = kwargs.get("http_logging_policy") or ARMHttpLoggingPolicy(**kwargs)
        self.custom_hook_policy = kwargs.get("custom_hook_policy") or policies.CustomHookPolicy(**kwargs)
        self.redirect_policy = kwargs.get("redirect_policy") or policies.RedirectPolicy(**kwargs)
        self.retry_policy = kwargs.get("retry_policy") or policies.RetryPolicy(**kwargs)
        # ARMChallengeAuthenticationPolicy answers CAE claims challenges, which plain bearer auth cannot.
        self.authentication_policy = kwargs.get("authentication_policy") or ARMChallengeAuthenticationPolicy(
            credential, *self.credential_scopes, **kwargs)


def _name_extension(user_agent_policy):
    # az hands in its own (telemetry) user agent policy; name the extension there too, once.
    add = getattr(user_agent_policy, "add_user_agent", None)
    if add is not None and EXTENSION_USER_AGENT not in getattr(user_agent_policy, "user_agent", ""):
        add(EXTENSION_USER_AGENT)
