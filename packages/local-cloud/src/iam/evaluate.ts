/**
 * Evaluates IAM policy documents for one request, following AWS's documented order: an explicit
 * Deny anywhere wins; otherwise an Allow from an identity policy or from a resource policy whose
 * Principal matches the caller allows (same-account union); otherwise the request is implicitly
 * denied. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 *
 * Written here because the one npm IAM simulator is AGPL-3.0 and must not ship in a package;
 * it covers the grammar our policies use and refuses (throws on) operators it does not know.
 */
import type { OneOrMore, PolicyDocument, PolicyStatement, Principal } from '@whimsy/infra/policies'
import { type ContextKeys, conditionsHold } from './conditions.js'
import { literal, matchesPattern, substitute, UNRESOLVED, type Variables } from './patterns.js'

export interface AuthorizationRequest {
  /** `s3:GetObject`, `dynamodb:Query`, … */
  action: string
  /** The ARN acted on. */
  resource: string
  /** Context keys of the request (`s3:prefix`, `dynamodb:LeadingKeys`, …). */
  context?: ContextKeys
}

export interface Caller {
  /** Values of policy variables, e.g. `cognito-identity.amazonaws.com:sub`. Empty for anonymous. */
  variables: Variables
  /** Principal ARN, matched against resource policies' `Principal`; undefined for anonymous. */
  principalArn?: string
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny'

export function evaluate(
  request: AuthorizationRequest,
  caller: Caller,
  identityPolicies: readonly PolicyDocument[],
  resourcePolicies: readonly PolicyDocument[] = [],
): Decision {
  const applicable = [
    ...identityPolicies.flatMap((doc) => doc.Statement),
    ...resourcePolicies.flatMap((doc) => doc.Statement.filter((s) => principalMatches(s.Principal, caller))),
  ].filter((s) => statementApplies(s, request, caller.variables))
  if (applicable.some((s) => s.Effect === 'Deny')) return 'ExplicitDeny'
  return applicable.length > 0 ? 'Allow' : 'ImplicitDeny'
}

function statementApplies(s: PolicyStatement, request: AuthorizationRequest, variables: Variables): boolean {
  const actionOk = s.Action
    ? anyMatch(s.Action, (p) => matchesPattern(p, request.action, true))
    : s.NotAction
      ? !anyMatch(s.NotAction, (p) => matchesPattern(p, request.action, true))
      : false
  if (!actionOk) return false
  const resourceMatches = (pattern: string) => {
    const bound = substitute(pattern, variables)
    return bound !== UNRESOLVED && matchesPattern(bound, request.resource)
  }
  const resourceOk = s.Resource ? anyMatch(s.Resource, resourceMatches) : s.NotResource ? !anyMatch(s.NotResource, resourceMatches) : false
  if (!resourceOk) return false
  return conditionsHold(s.Condition, request.context ?? {}, variables)
}

function principalMatches(principal: Principal | undefined, caller: Caller): boolean {
  if (principal === undefined) return false
  if (principal === '*') return true
  const aws = principal.AWS
  if (aws === undefined) return false
  return anyMatch(aws, (p) => p === '*' || (caller.principalArn !== undefined && literal(p) === caller.principalArn))
}

function anyMatch(v: OneOrMore<string>, test: (pattern: string) => boolean): boolean {
  return (Array.isArray(v) ? v : [v]).some(test)
}
