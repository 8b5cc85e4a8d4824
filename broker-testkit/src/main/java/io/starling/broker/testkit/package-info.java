/**
 * Test support for integration tests against a running broker (STYLE.md): an in-process broker on
 * ephemeral ports, a raw packet client, store contract tests and the conformance-table runner.
 *
 * <p>The in-memory fakes for testing the core on its own ({@code FakeConnection}, {@code TestLoops},
 * {@code FakeClock}, {@code TestClient}) live in broker-core's test sources, package
 * {@code io.starling.broker.core.testing}: this module depends on broker-core, so broker-core's
 * tests cannot depend on it. When an integration test here needs one of them, publish broker-core's
 * test classes as a {@code test-jar} and depend on that rather than copying them.
 */
package io.starling.broker.testkit;
