// The Amplify v6 configuration every Amplify entry shares: one user pool, one identity pool, one bucket.
import { Amplify } from 'aws-amplify'

const config = (await (await fetch('/config.json')).json()) as Record<string, string>
Amplify.configure({
  Auth: {
    Cognito: { userPoolId: config.userPoolId as string, userPoolClientId: config.userPoolClientId as string, identityPoolId: config.identityPoolId as string },
  },
  Storage: { S3: { bucket: config.bucket as string, region: config.region as string } },
})
