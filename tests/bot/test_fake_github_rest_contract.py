"""The fake GitHub holds every REST request to GitHub's REST description: routes and request bodies."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import INSTALLATION_ID, OWNER, REPO, require_npm_fixtures
from tests.fakes.github_openapi import RestDescription, SpecViolation, rest_description
from tests.fakes.github_server import FakeGitHub

API = f"/repos/{OWNER}/{REPO}"


@pytest.fixture(scope="module")
def description() -> RestDescription:
    require_npm_fixtures()
    return rest_description()


@pytest.fixture
def send(fake_github: FakeGitHub) -> Iterator[httpx.Client]:
    """An HTTP client on the fake's REST root, authenticated as the App's installation."""
    token = fake_github.issue_installation_token(INSTALLATION_ID)
    with httpx.Client(base_url=fake_github.base_url, headers={"Authorization": f"token {token}"}) as client:
        yield client


class TestDocumentedRequestsPass:
    def test_a_known_route_with_a_good_body_is_served_and_named(
        self, fake_github: FakeGitHub, send: httpx.Client
    ) -> None:
        response = send.post(f"{API}/issues/1/comments", json={"body": "hello"})
        assert response.status_code == 201, response.text
        [call] = fake_github.calls_to(r"/issues/1/comments$")
        assert call.operation == (
            "issues/create-comment (POST /repos/{owner}/{repo}/issues/{issue_number}/comments)"
        )
        assert fake_github.spec_violations == []

    def test_a_branch_with_slashes_fills_a_multi_segment_parameter(
        self, fake_github: FakeGitHub, send: httpx.Client
    ) -> None:
        fake_github.push_commit(OWNER, REPO, "autopilot/nginx", {"a.txt": "a\n"})
        assert send.get(f"{API}/branches/autopilot/nginx").status_code == 200
        [call] = fake_github.calls_to(r"/branches/")
        assert call.operation == "repos/get-branch (GET /repos/{owner}/{repo}/branches/{branch})"

    def test_routes_outside_the_rest_api_are_exempt(
        self, fake_github: FakeGitHub, send: httpx.Client
    ) -> None:
        token = fake_github.issue_installation_token(INSTALLATION_ID)
        git = httpx.get(
            f"{fake_github.clone_url(OWNER, REPO)}/info/refs?service=git-upload-pack",
            auth=("x-access-token", token),
        )
        graphql = send.post(f"{fake_github.origin}/api/graphql", json={"query": "query { viewer { login } }"})
        assert (git.status_code, graphql.status_code) == (200, 200)
        assert fake_github.spec_violations == []


class TestUndocumentedRoutesAreRejected:
    def test_an_unknown_route_is_a_404_naming_the_description(
        self, fake_github: FakeGitHub, send: httpx.Client
    ) -> None:
        response = send.get(f"{API}/no-such-thing")
        assert response.status_code == 404
        assert "is not an operation in GitHub's REST description" in response.json()["message"]
        assert fake_github.take_spec_violations() == [response.json()["message"]]

    def test_a_method_the_route_lacks_is_a_405_listing_the_documented_ones(
        self, fake_github: FakeGitHub, send: httpx.Client
    ) -> None:
        comment = fake_github.add_comment(OWNER, REPO, 1, "hi")
        response = send.put(f"{API}/issues/comments/{comment.id}", json={"body": "x"})
        assert response.status_code == 405
        assert response.json()["message"].endswith("only DELETE, GET, PATCH")
        assert len(fake_github.take_spec_violations()) == 1

    def test_a_path_outside_the_api_root_is_rejected(self, fake_github: FakeGitHub) -> None:
        response = httpx.get(f"{fake_github.origin}{API}")  # `/repos/…` without `/api/v3`
        assert response.status_code == 404
        assert fake_github.take_spec_violations() == [f"GET {API} is outside the REST API root /api/v3"]


class TestBodiesAreHeldToTheirSchema:
    def test_a_missing_required_field_is_named(self, fake_github: FakeGitHub, send: httpx.Client) -> None:
        response = send.post(f"{API}/issues/1/comments", json={"text": "hello"})
        assert response.status_code == 422
        message = response.json()["message"]
        assert message.startswith("issues/create-comment (POST /repos/{owner}/{repo}/issues/{issue_number}")
        assert message.endswith("request body at $ violates the schema: 'body' is a required property")
        assert fake_github.take_spec_violations() == [message]
        assert fake_github.comments_on(OWNER, REPO, 1) == []  # refused, not half-served

    def test_a_wrong_type_is_named_with_its_path(self, fake_github: FakeGitHub, send: httpx.Client) -> None:
        response = send.post(f"{API}/issues/1/comments", json={"body": 42})
        assert response.status_code == 422
        assert response.json()["message"].endswith(
            "at $.body violates the schema: 42 is not of type 'string'"
        )
        assert len(fake_github.take_spec_violations()) == 1

    def test_a_nested_field_is_named_with_its_path(self, fake_github: FakeGitHub, send: httpx.Client) -> None:
        annotation = {"path": "a.yaml", "start_line": 1, "annotation_level": "failure", "message": "m"}
        output = {"title": "t", "summary": "s", "annotations": [annotation]}
        response = send.post(f"{API}/check-runs", json={"name": "ci", "head_sha": "0" * 40, "output": output})
        assert response.status_code == 422
        assert (
            "at $.output.annotations[0] violates the schema: 'end_line' is a required property"
            in response.json()["message"]
        )
        assert len(fake_github.take_spec_violations()) == 1

    def test_a_required_body_cannot_be_empty(self, fake_github: FakeGitHub, send: httpx.Client) -> None:
        response = send.post(f"{API}/issues/1/comments")
        assert response.status_code == 422
        assert response.json()["message"].endswith("the request body is required and was empty")
        assert len(fake_github.take_spec_violations()) == 1


class TestQueryParametersAreHeldToTheirSchema:
    def test_documented_parameters_pass(self, fake_github: FakeGitHub, send: httpx.Client) -> None:
        response = send.get(f"{API}/pulls", params={"state": "all", "per_page": 100, "page": 2})
        assert response.status_code == 200
        assert fake_github.spec_violations == []

    def test_an_unknown_parameter_is_named_with_the_documented_ones(
        self, fake_github: FakeGitHub, send: httpx.Client
    ) -> None:
        response = send.get(f"{API}/pulls", params={"perpage": 100})  # GitHub would ignore it
        assert response.status_code == 422
        assert (
            "unknown query parameter `perpage` (documented: base, direction, head, page, per_page"
            in response.json()["message"]
        )
        assert len(fake_github.take_spec_violations()) == 1

    def test_a_value_outside_the_enum_is_named(self, fake_github: FakeGitHub, send: httpx.Client) -> None:
        response = send.get(f"{API}/pulls", params={"state": "any"})
        assert response.status_code == 422
        assert response.json()["message"].endswith(
            "query parameter `state`='any' does not fit one of ['open', 'closed', 'all']"
        )
        assert len(fake_github.take_spec_violations()) == 1

    def test_a_required_parameter_is_named(self, description: RestDescription) -> None:
        with pytest.raises(SpecViolation, match=r"required query parameters missing: q$"):
            description.check("GET", "/search/issues", None, {})


class TestViolationsFailTheTest:
    def test_leaving_the_fake_with_a_violation_raises_listing_it(self) -> None:
        require_npm_fixtures()
        refused = pytest.raises(AssertionError, match=r"GET /repos/o/r/no-such-thing is not an operation")
        with refused, FakeGitHub() as gh:
            assert httpx.get(f"{gh.base_url}/repos/o/r/no-such-thing").status_code == 404

    def test_a_test_that_already_failed_keeps_its_own_error(self) -> None:
        require_npm_fixtures()
        with pytest.raises(KeyError), FakeGitHub() as gh:
            httpx.get(f"{gh.base_url}/repos/o/r/no-such-thing")
            assert len(gh.spec_violations) == 1
            raise KeyError("the test's own failure")


class TestMatching:
    """Routing against the description itself, without a server."""

    def test_the_most_specific_template_wins(self, description: RestDescription) -> None:
        op = description.match("GET", f"{API}/issues/comments")
        assert op.template == "/repos/{owner}/{repo}/issues/comments"  # not issues/{issue_number}

    def test_a_ref_spans_segments_before_a_literal_suffix(self, description: RestDescription) -> None:
        op = description.match("GET", f"{API}/commits/heads/autopilot/nginx/check-runs")
        assert op.operation_id == "checks/list-for-ref"

    def test_only_multi_segment_parameters_hold_slashes(self, description: RestDescription) -> None:
        with pytest.raises(SpecViolation) as refused:
            description.match("GET", f"{API}/issues/1/2/comments")  # `issue_number` is one segment
        assert refused.value.status == 404

    def test_an_integer_path_parameter_must_be_digits(self, description: RestDescription) -> None:
        assert description.check("GET", f"{API}/issues/12", None).operation_id == "issues/get"
        with pytest.raises(
            SpecViolation, match=r"path parameter `issue_number`='abc' is not an integer"
        ) as bad:
            description.check("GET", f"{API}/issues/abc", None)
        assert bad.value.status == 404
        description.check("GET", f"{API}/branches/feature-1", None)  # a string parameter takes any text

    def test_empty_segments_fill_nothing(self, description: RestDescription) -> None:
        with pytest.raises(SpecViolation):
            description.match("GET", f"{API}/branches//main")

    def test_nullable_fields_take_null_and_nothing_else_untyped(self, description: RestDescription) -> None:
        description.check("PATCH", f"{API}/issues/1", {"body": None, "milestone": None})
        with pytest.raises(SpecViolation, match=r"at \$\.body violates the schema"):
            description.check("PATCH", f"{API}/issues/1", {"body": 3})

    def test_a_route_without_a_request_body_refuses_one(self, description: RestDescription) -> None:
        with pytest.raises(SpecViolation, match=r"repos/get \(GET /repos/\{owner\}/\{repo\}\): takes no"):
            description.check("GET", API, {"unexpected": True})
