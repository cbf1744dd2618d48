// Sign-in on amazon-cognito-identity-js alone (SRP), what an app without an SDK of ours would use.
import { AuthenticationDetails, CognitoUser, CognitoUserPool, type CognitoUserSession } from 'amazon-cognito-identity-js'

const config = (await (await fetch('/config.json')).json()) as Record<string, string>
const pool = new CognitoUserPool({ UserPoolId: config.userPoolId as string, ClientId: config.userPoolClientId as string })
export const session = await new Promise<CognitoUserSession>((resolve, reject) =>
  new CognitoUser({ Username: 'daniel', Pool: pool }).authenticateUser(new AuthenticationDetails({ Username: 'daniel', Password: 'correct-horse-42' }), {
    onSuccess: resolve,
    onFailure: reject,
  }),
)
console.log(session.getIdToken().getJwtToken().length)
