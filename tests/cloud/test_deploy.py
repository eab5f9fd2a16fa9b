"""``ghela deploy``: clear failures without sam or credentials; the steps, in order, against
moto (CloudFormation outputs, S3 upload, CloudFront invalidation) with sam/ghela recorded."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from botocore.exceptions import NoCredentialsError
from ghela.cli import build_parser
from ghela.core.errors import ConfigurationError
from ghela_cloud.deploy import sam
from ghela_cloud.deploy.deploy import Deployer, DeployError, DeployOptions, Runner
from ghela_cloud.deploy.package import stage_lambda_source
from ghela_cloud.deploy.web import web_config
from ghela_cloud.local.provision import LocalResources

from tests.cloud.conftest import CachingSession

REPO = Path(__file__).resolve().parents[2]


class RecordingRunner(Runner):
    """Records commands instead of running them; ``missing`` programs are not on PATH."""

    def __init__(self, missing: tuple[str, ...] = ()) -> None:
        self.commands: list[list[str]] = []
        self.environments: list[dict[str, str] | None] = []
        self.missing = missing

    def which(self, program: str) -> str | None:
        return None if program in self.missing else f"/usr/bin/{program}"

    def runtime_python(self) -> Path | None:
        return None if "python3.12" in self.missing else Path("/opt/python3.12/bin/python3.12")

    def run(self, argv, cwd: Path, env: dict[str, str] | None = None) -> None:
        self.commands.append(list(argv))
        self.environments.append(env)


class NoCredentials:
    """A boto3 session whose credential chain is empty."""

    def client(self, service: str) -> Any:
        class Sts:
            def get_caller_identity(self) -> dict[str, str]:
                raise NoCredentialsError()

        return Sts()


def test_without_sam_the_deploy_stops_with_a_clear_message() -> None:
    deployer = Deployer(DeployOptions(), lambda region: NoCredentials(), RecordingRunner(missing=("sam",)))
    with pytest.raises(DeployError, match=r"SAM CLI \(sam\) is not installed"):
        deployer.deploy()


def test_without_python_312_the_deploy_stops_before_building() -> None:
    runner = RecordingRunner(missing=("python3.12",))
    deployer = Deployer(DeployOptions(), lambda region: NoCredentials(), runner)
    with pytest.raises(DeployError, match=r"sam build needs python3\.12"):
        deployer.deploy()
    assert runner.commands == []


def test_without_credentials_the_deploy_stops_with_a_clear_message() -> None:
    runner = RecordingRunner()
    deployer = Deployer(DeployOptions(), lambda region: NoCredentials(), runner)
    with pytest.raises(DeployError, match="no usable AWS credentials"):
        deployer.deploy()
    assert runner.commands == []


def test_ghela_deploy_reports_one_line_and_exit_1(tmp_path: Path) -> None:
    env = {"PATH": str(tmp_path), "HOME": str(tmp_path)}  # no sam on this PATH
    result = subprocess.run(
        [sys.executable, "-m", "ghela.cli", "deploy"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().startswith("ghela: error: the AWS SAM CLI (sam) is not installed")
    assert "Traceback" not in result.stderr


@pytest.fixture
def deployed(cloud: LocalResources, aws: CachingSession) -> dict[str, str]:
    """A stack in moto's CloudFormation with the outputs the real template has."""
    s3 = aws.client("s3", endpoint_url=cloud.endpoint_url)
    s3.create_bucket(Bucket="ghela-web-test", CreateBucketConfiguration={"LocationConstraint": cloud.region})
    cloudfront = aws.client("cloudfront", endpoint_url=cloud.endpoint_url)
    distribution = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "ghela-test",
            "Comment": "",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "web",
                        "DomainName": "ghela-web-test.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "web",
                "ViewerProtocolPolicy": "redirect-to-https",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            },
        }
    )["Distribution"]
    outputs = {
        "ApiUrl": "https://abc123.execute-api.eu-west-1.amazonaws.com",
        "Region": cloud.region,
        "UserPoolId": cloud.user_pool_id,
        "UserPoolClientId": cloud.client_id,
        "CognitoEndpoint": "https://cognito-idp.eu-west-1.amazonaws.com/",
        "WebBucketName": "ghela-web-test",
        "WebDistributionId": distribution["Id"],
        "WebUrl": f"https://{distribution['DomainName']}",
        "ArtifactsBucketName": "ghela-artifacts-test",
    }
    template = {
        "Resources": {"Alarms": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {key: {"Value": value} for key, value in outputs.items()},
    }
    aws.client("cloudformation", endpoint_url=cloud.endpoint_url).create_stack(
        StackName="ghela-dev", TemplateBody=json.dumps(template)
    )
    return outputs


class MotoSession:
    def __init__(self, aws: CachingSession, endpoint: str) -> None:
        self.aws, self.endpoint = aws, endpoint

    def client(self, service: str) -> Any:
        return self.aws.client(service, endpoint_url=self.endpoint)


def test_deploy_runs_every_step_in_order(
    cloud: LocalResources, aws: CachingSession, deployed: dict[str, str], tmp_path: Path
) -> None:
    web = tmp_path / "web"
    web.mkdir()
    (web / "index.html").write_text("<!doctype html><title>x</title>")
    (web / "config.json").write_text('{"apiUrl": "http://localhost/api"}')  # a development copy
    runner = RecordingRunner()
    options = DeployOptions(
        alarm_email="ops@example.com", devices=("pi-a", "pi-b"), web_root=web, build_dir=tmp_path / "build"
    )
    said: list[str] = []

    outputs = Deployer(
        options, lambda region: MotoSession(aws, cloud.endpoint_url), runner, said.append
    ).deploy()

    assert outputs == deployed
    assert (tmp_path / "build" / "ghela" / "core" / "jobdocs.py").is_file()
    programs = [
        " ".join(c[:2] if c[0] == "sam" else c[2:4] if c[2] == "compileall" else c[3:5])
        for c in runner.commands
    ]
    assert programs == ["sam build", "compileall -q", "sam deploy", "gdk build", "gdk publish"]
    sam_build, bytecode, sam_deploy = runner.commands[:3]
    assert sam_build == sam.build_command(REPO / "cloud" / "template.yaml")
    # the functions sam build made are shipped compiled, by the runtime's interpreter
    assert bytecode[0] == "/opt/python3.12/bin/python3.12"
    assert bytecode[-1] == str(REPO / "cloud" / ".aws-sam" / "build")
    assert "--language-extensions" in sam_build and "--language-extensions" in sam_deploy
    sam_environment = runner.environments[0]
    assert sam_environment is not None
    assert sam_environment["PATH"].startswith("/opt/python3.12/bin" + os.pathsep)
    assert sam_deploy[sam_deploy.index("--stack-name") + 1] == "ghela-dev"
    assert "DeviceThingNames=pi-a,pi-b" in sam_deploy and "AlarmEmail=ops@example.com" in sam_deploy
    assert runner.commands[4][-4:] == ["--bucket", "ghela-artifacts-test", "--region", "eu-west-1"]
    s3 = aws.client("s3", endpoint_url=cloud.endpoint_url)
    config = json.loads(s3.get_object(Bucket="ghela-web-test", Key="config.json")["Body"].read())
    assert config == web_config(deployed) and config["apiUrl"] == deployed["ApiUrl"]
    page = s3.get_object(Bucket="ghela-web-test", Key="index.html")
    assert page["ContentType"] == "text/html"
    invalidations = aws.client("cloudfront", endpoint_url=cloud.endpoint_url).list_invalidations(
        DistributionId=deployed["WebDistributionId"]
    )["InvalidationList"]
    assert invalidations["Quantity"] == 1
    assert any("deployed ghela-dev" in line for line in said)


def test_web_config_needs_every_output() -> None:
    with pytest.raises(ConfigurationError, match="UserPoolClientId"):
        web_config({"ApiUrl": "x", "Region": "r", "UserPoolId": "p", "CognitoEndpoint": "c"})


def test_staged_lambda_source_imports_on_its_own(tmp_path: Path) -> None:
    """The staged directory has everything the handlers import, and nothing local-only."""
    staged = stage_lambda_source(tmp_path / "api")
    assert (staged / "requirements.txt").read_text().startswith("aws-lambda-powertools")
    assert (
        not (staged / "ghela_cloud" / "local").exists() and not (staged / "ghela_cloud" / "cli.py").exists()
    )
    site = next(p for p in sys.path if p.endswith("site-packages"))
    code = (
        "import ghela.core.jobdocs, ghela_cloud, importlib\n"
        "for name in ('events', 'jobs', 'device', 'metrics'):\n"
        "    module = importlib.import_module(f'ghela_cloud.api.handlers.{name}')\n"
        "    assert callable(module.handler)\n"
        "    assert module.__file__.startswith(" + repr(str(staged)) + "), module.__file__\n"
        "assert ghela.core.jobdocs.__file__.startswith(" + repr(str(staged)) + ")\n"
    )
    # -S: no site hooks, so the editable install of this repository is not on the path
    result = subprocess.run(
        [sys.executable, "-S", "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": f"{staged}:{site}", "AWS_REGION": "eu-west-1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_workflow_tests_then_deploys_each_step_with_ghela_deploy() -> None:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "deploy.yml").read_text())
    on = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert on["push"]["branches"] == ["main"]
    test_steps = [step.get("run", "") for step in workflow["jobs"]["test"]["steps"]]
    assert "./dev test" in test_steps
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "test"
    assert deploy["permissions"]["id-token"] == "write"
    runs = [step["run"] for step in deploy["steps"] if "run" in step]
    ghela_lines = [
        line for run in runs for line in [" ".join(run.split())] if ".venv/bin/ghela deploy" in line
    ]
    steps = [line.split("--only ")[1].split()[0] for line in ghela_lines]
    assert steps == ["stack", "components", "web"]
    parser = build_parser()
    for line in ghela_lines:
        line = line.replace("$STAGE", "dev").replace("$AWS_REGION", "eu-west-1")
        argv = shlex.split(line.replace("${{", "X").replace("}}", "X"))[1:]
        args = parser.parse_args(argv)
        assert args.func is not None
