import { Login, LoginForm, PasswordInput, TextInput, email, required } from 'react-admin';
import { BrandHeader } from './branding/brand';
import { SsoButton } from './SsoButton';

/** react-admin's login page, asking for the email the API expects instead of a username. */
export function LoginPage() {
  return (
    <Login>
      <BrandHeader />
      <LoginForm>
        <TextInput
          autoFocus
          source="email"
          type="email"
          label="Email"
          autoComplete="username"
          validate={[required(), email()]}
        />
        <PasswordInput source="password" label="Password" autoComplete="current-password" validate={required()} />
      </LoginForm>
      <SsoButton />
    </Login>
  );
}
