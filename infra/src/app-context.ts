/** CDK context every Whimsy Space app is built with: the CLI's (`app.ts`) and the tests'. */
export const APP_CONTEXT = {
  // Cross-region references (the data stack reads the edge stack's distribution id) keep their
  // producer-protecting behaviour: the edge stack refuses to change a value the data stack uses.
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
  // The built-in CloudFormation validation fails synth on errors instead of printing warnings.
  '@aws-cdk/core:validateAgainstDefaultRules': true,
} as const
